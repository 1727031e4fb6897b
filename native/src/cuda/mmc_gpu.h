// Rendering of a batch whose flow is on the device (cuda/mmc_gpu.cu), called by the TV-L1 batch.
#pragma once
#include <cstdint>
#include <vector>

#include "gpu_backend.h"
#include "gpu_compat.h"

namespace mellm {
namespace gpu {

// device: the current device (buffers are kept per device); greyDev: the pairs' 8-bit onsets;
// uDev/vDev: their flows (B planes of w*h each). Fills each job's rgb/head/magMin/magMax.
// A pair whose clipped nose window is empty is rendered by the CPU renderer (mmc_render.cc).
void renderBatchOnDevice(int device, const uint8_t* greyDev, const float* uDev, const float* vDev, int w, int h,
                         std::vector<FlowJob>& jobs, int window, cudaStream_t st);

}  // namespace gpu
}  // namespace mellm
