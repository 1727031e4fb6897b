#include "backend.h"

#include <stdexcept>
#include <thread>

namespace mellm {

BackendInfo backendInfo() {
  BackendInfo info;
  info.cudaCompiled = false;
  info.cudaDevices = 0;
  unsigned hc = std::thread::hardware_concurrency();
  info.cpuThreads = hc == 0 ? 1 : static_cast<int>(hc);
  return info;
}

Device resolveDevice(Device requested, int /*deviceIndex*/) {
  if (requested == Device::Cuda) {
    throw std::runtime_error(
        "device 'cuda' was asked for, but this build of the native addon has no CUDA backend "
        "(set mellm.device / --device to 'auto' or 'cpu')");
  }
  return Device::Cpu;
}

bool computeFlow(Device device, int deviceIndex, const uint8_t* I0, const uint8_t* I1, int w, int h,
                 const TvL1Params& p, float* u, float* v, const CancelFlag& cancel, int threads) {
  resolveDevice(device, deviceIndex);
  return tvl1FlowCpu(I0, I1, w, h, p, u, v, cancel, threads);
}

void renderMap(Device device, int deviceIndex, const MmcInput& in, MmcOutput& out) {
  resolveDevice(device, deviceIndex);
  renderMmc(in, out);
}

}  // namespace mellm
