// Scaffold: replaced by the real TV-L1 implementation.
#include <stdexcept>
#include "tvl1.h"
namespace mellm {
bool tvl1FlowCpu(const uint8_t*, const uint8_t*, int, int, const TvL1Params&, float*, float*, const CancelFlag&, int) {
  throw std::runtime_error("TV-L1 not built yet");
}
}  // namespace mellm
