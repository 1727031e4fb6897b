// Scaffold: replaced by the real MMC renderer.
#include <stdexcept>
#include "mmc.h"
namespace mellm {
void renderMmc(const MmcInput&, MmcOutput&) { throw std::runtime_error("MMC render not built yet"); }
}  // namespace mellm
