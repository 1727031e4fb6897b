// The one seam between the addon's entry points and the compute backends. The CPU backend is always
// built; the CUDA backend (src/cuda) is compiled in with MELLM_WITH_CUDA and used only when a device
// is really there.
#pragma once
#include <string>
#include <vector>
#include "mmc.h"
#include "tvl1.h"

namespace mellm {

enum class Device { Auto, Cpu, Cuda };

struct BackendInfo {
  bool cudaCompiled = false;
  int cudaDevices = 0;
  std::string cudaStatus;  // why there is no usable device, when there is none
  int cpuThreads = 0;
};

BackendInfo backendInfo();

// Resolves Auto to a concrete device; throws std::runtime_error with a user-facing message when a
// device that is not there is asked for (or the index is out of range).
Device resolveDevice(Device requested, int deviceIndex, const TvL1Params* p = nullptr);

bool computeFlow(Device device, int deviceIndex, const uint8_t* I0, const uint8_t* I1, int w, int h,
                 const TvL1Params& p, float* u, float* v, const CancelFlag& cancel, int threads);

/** One pair of a batch: inputs and w*h outputs; with rgb set, its MMC-Map is rendered too. */
struct FlowPair {
  const uint8_t* I0;
  const uint8_t* I1;
  float* u;
  float* v;
  uint8_t* rgb = nullptr;  // w*h*3 out, or nullptr for flow only
  bool compensate = false;
  int noseX = 0, noseY = 0;
  MmcOutput out;  // head vector and magnitude range of the rendered map
};

// Many same-size pairs at once: on the GPU in one batched pass (flow and maps stay on the device), on
// the CPU one pair per core. Returns false when cancelled.
bool computeFlowBatch(Device device, int deviceIndex, int w, int h, std::vector<FlowPair>& pairs,
                      const TvL1Params& p, const CancelFlag& cancel, int threads, int window = 11);

void renderMap(Device device, int deviceIndex, const MmcInput& in, MmcOutput& out);

}  // namespace mellm
