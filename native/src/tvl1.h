// TV-L1 optical flow (dual formulation, Zach-Pock-Bischof 2007 / Sanchez Perez et al. IPOL 2013),
// reproducing OpenCV's DualTVL1OpticalFlow. Defaults are OpenCV's (DESIGN.md section 2).
#pragma once
#include <atomic>
#include <cstdint>

namespace mellm {

struct TvL1Params {
  double tau = 0.25;
  double lambda = 0.15;
  double theta = 0.3;
  int nscales = 5;
  int warps = 5;
  double epsilon = 0.01;
  int innerIterations = 30;
  int outerIterations = 10;
  double scaleStep = 0.8;
  double gamma = 0.0;
  int medianFiltering = 5;
};

// Set from the JS thread, polled by the worker between pyramid levels and warps.
struct CancelFlag {
  std::atomic<bool> cancelled{false};
};

// I0, I1: w*h 8-bit grey images (onset, apex). u, v: w*h outputs in pixels (x right, y down).
// threads <= 0 means all hardware threads. Returns false when cancelled (outputs undefined).
bool tvl1FlowCpu(const uint8_t* I0, const uint8_t* I1, int w, int h, const TvL1Params& p,
                 float* u, float* v, const CancelFlag& cancel, int threads);

}  // namespace mellm
