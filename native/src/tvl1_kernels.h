// Row kernels of the TV-L1 solver: the per-pixel arithmetic of OpenCV's DualTVL1 (estimateV + divergence +
// estimateU fused into one pass, forwardGradient + estimateDualVariables fused into another), its
// centred gradient, bicubic warp and 5x5 median. Each works on whole rows so the thread pool can hand out
// row bands; the loops are plain contiguous float loops written for the auto-vectoriser.
#pragma once
#include <cstdint>

namespace mellm {
namespace tvl1 {

// One pyramid level's solver state; all planes are w*h, row-major, no padding.
struct Planes {
  int w = 0, h = 0;
  const float* I1wx = nullptr;  // warped gradient of I1
  const float* I1wy = nullptr;
  const float* grad = nullptr;  // |grad I1w|^2
  const float* rhoc = nullptr;  // constant part of the residual
  float* u1 = nullptr;          // flow (u1, u2) and, with gamma, the illumination term u3
  float* u2 = nullptr;
  float* u3 = nullptr;
  float* p11 = nullptr;  // dual variables
  float* p12 = nullptr;
  float* p21 = nullptr;
  float* p22 = nullptr;
  float* p31 = nullptr;
  float* p32 = nullptr;
};

struct Coeffs {
  float lt;     // lambda * theta
  float theta;
  float taut;   // tau / theta
  float gamma;  // 0: no illumination term
};

// Rows [y0, y1): thresholding step (v), divergence of p, u = v + theta * div p. Returns the sum over
// those rows of the squared change of u (OpenCV's stopping quantity). scratch: >= w floats.
double updatePrimalRows(const Planes& s, const Coeffs& c, int y0, int y1, float* scratch);

// Rows [y0, y1): forward gradient of u and the dual (p) update. Reads u rows y0..y1 (inclusive).
void updateDualRows(const Planes& s, const Coeffs& c, int y0, int y1);

// OpenCV's centeredGradient (one-sided, halved differences on the border) for rows [y0, y1).
void centeredGradientRows(const float* src, int w, int h, float* dx, float* dy, int y0, int y1);

// Interleaves I1, I1x, I1y (and a zero pad) per pixel for warpRows, rows [y0, y1). pack: 4 * w * h floats.
void packPlanesRows(const float* I1, const float* I1x, const float* I1y, int w, float* pack, int y0, int y1);

// Bicubic remap of the packed (I1, I1x, I1y) at (x + u1, y + u2) as OpenCV's remap(INTER_CUBIC,
// BORDER_CONSTANT 0) does it (coordinates rounded to 1/32 px, A = -0.75), fused with calcGradRho, rows [y0, y1).
void warpRows(const float* I0, const float* pack, const float* u1, const float* u2, int w, int h, float* I1wx,
              float* I1wy, float* grad, float* rhoc, int y0, int y1);

// OpenCV's medianBlur(ksize 3 or 5) of a float plane with replicated borders, rows [y0, y1) of dst.
// scratch: >= 5 * (w + 4) floats.
void medianRows(const float* src, int w, int h, int ksize, float* dst, int y0, int y1, float* scratch);

}  // namespace tvl1
}  // namespace mellm
