// The GPU backend's interface to the rest of the addon. No CUDA types here: backend.cc includes it
// in every build, and calls it only when compiled with MELLM_WITH_CUDA (or the emulation build).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "../mmc.h"
#include "../tvl1.h"

namespace mellm {
namespace gpu {

/** A failure the user should read: out of memory, no driver, bad parameters for the GPU backend. */
class GpuError : public std::runtime_error {
 public:
  explicit GpuError(const std::string& m, bool outOfMemory = false) : std::runtime_error(m), oom(outOfMemory) {}
  bool oom;
};

/** Most pairs in one tvl1FlowBatch call: each pair is a z-slice of the launch grid (gridDim.z <= 65535). */
constexpr size_t kMaxBatch = 65535;

/** Usable CUDA devices; 0 and the reason when none (no driver, no GPU). */
int countDevices(std::string* why);

/** One onset/apex pair of a batch; all pairs of one call share width and height. */
struct FlowJob {
  const uint8_t* onset = nullptr;
  const uint8_t* apex = nullptr;
  float* u = nullptr;  // w*h out
  float* v = nullptr;  // w*h out
  // Optional MMC-Map rendering on the device (rgb != nullptr): w*h*3 RGB out.
  uint8_t* rgb = nullptr;
  bool compensate = false;
  int noseX = 0, noseY = 0;  // truncated nose pixel; may lie outside the image
  float headU = 0, headV = 0;
  double magMin = 0, magMax = 0;
  bool emptyWindow = false;  // see MmcOutput::emptyWindow (such a pair is rendered by the CPU renderer)
};

/**
 * TV-L1 for a batch of same-size pairs on one device, all pairs advancing together through the
 * pyramid (one kernel launch covers every pair). Same algorithm and stopping rule as the CPU backend,
 * evaluated per pair. Returns false when cancelled. Throws GpuError on CUDA failures.
 */
bool tvl1FlowBatch(int device, std::vector<FlowJob>& jobs, int w, int h, const TvL1Params& p, const CancelFlag& cancel,
                   int window = 11);

}  // namespace gpu
}  // namespace mellm
