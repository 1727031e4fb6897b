// The one seam between the addon's entry points and the compute backends. The CPU backend is always
// built; a CUDA backend (issue 7) plugs in here when compiled with MELLM_WITH_CUDA and a device exists.
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
  int cpuThreads = 0;
};

BackendInfo backendInfo();

// Resolves Auto to a concrete device; throws std::runtime_error with a user-facing message when a
// device that is not there is asked for.
Device resolveDevice(Device requested, int deviceIndex);

bool computeFlow(Device device, int deviceIndex, const uint8_t* I0, const uint8_t* I1, int w, int h,
                 const TvL1Params& p, float* u, float* v, const CancelFlag& cancel, int threads);

void renderMap(Device device, int deviceIndex, const MmcInput& in, MmcOutput& out);

}  // namespace mellm
