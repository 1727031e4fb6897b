// MMC-Map rendering, DESIGN.md section 2 steps 4-8: image_preprocess and visualize_flow of preprocess.py in
// the authors' repo (zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-, commit b7daa0f151c7ceac313fb3874ec43d9a82ca1b97)
//   mean_flow = np.mean(flow[y1:y2, x1:x2].reshape(-1, 2), axis=0); flow_corrected = flow - mean_flow
//   magnitude, angle = cv2.cartToPolar(u, v); angle_deg = angle * 180 / np.pi
//   q = np.round((angle_deg % 360) / 30) * 30 % 360; hue = (q / 2).astype(uint8)
//   V = cv2.normalize(magnitude, None, 0, 255, NORM_MINMAX) into uint8; cv2.cvtColor(HSV2BGR)
//   mask = magnitude > np.percentile(magnitude, 0); cv2.add(grey3, cv2.bitwise_and(bgr, bgr, mask=mask))
// bit for bit as numpy and Debian's OpenCV 4.6 compute them on x86-64 with AVX2. The details that decide bits:
// - The mean is numpy's float32 reduction over axis 0 of the (N, 2) window: a SEQUENTIAL float32 sum from 0
//   in row-major order (numpy's pairwise summation only applies along a contiguous inner reduction axis;
//   checked on 2000 random windows), divided by N in float32. The subtraction is float32.
// - An empty clipped window (nose 6+ px outside) gives mean_flow = np.array([0.0, 0.0]), float64: the whole
//   map is then made in float64 (OpenCV 4.6: double magnitude, atan2 converted to float in blocks of 128,
//   double normalize with a fused multiply-add); kept as such (renderWide).
// - cartToPolar: the angle is OpenCV's fast polynomial atan2 (not libm's; up to ~0.01 degrees off, which moves
//   pixels across the 15 + 30k quantisation boundaries) computed in degrees and multiplied by (float)(pi/180);
//   preprocess.py turns it back with * 180 / pi in float32 (that round trip moves a few pixels across a
//   boundary compared with angleInDegrees=True). cartToPolar walks the array in blocks of 1024; a block of
//   16+ elements takes the SIMD path (fused multiply-adds in the polynomial, sqrt(fma(x, x, y*y))), a shorter
//   one (only the last block can be) the scalar path.
// - normalize(NORM_MINMAX) to float: scale and shift rounded to float, applied as fma(mag, scale, shift) on
//   16+ elements; scale 0 when max - min <= DBL_EPSILON (constant field: V = 0, no colour).
// - cvtColor(HSV2RGB) on 8-bit: per row, the first floor(width / 32) * 32 pixels take the SIMD path, which
//   truncates the final float to 8 bits; the remaining pixels the scalar path, which rounds half to even.
// - The mask drops the pixels of minimum magnitude (their value is 0 anyway); kept explicit.
// Checked against scripts/reference/authors_preprocess.py (a transcription of image_preprocess run with Debian's
// numpy and cv2) on every fixture, 100% of pixels (test/native/authors-fidelity.test.ts, test/unit/mmc-render.test.ts).
#include "mmc.h"
#include "mmc_pixel.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mellm {
namespace {

using mmc::hueIndex;
using mmc::kHsvSimdBlock;
using mmc::kSimdMinElements;
using mmc::magnitude;

// OpenCV's 8-bit HSV2RGB for the 12 hues and 256 values that occur, both variants tabulated once.
struct HsvTables {
  uint8_t trunc[12][256][3];
  uint8_t round[12][256][3];
  HsvTables() {
    for (int hi = 0; hi < 12; hi++) {
      for (int val = 0; val < 256; val++) {
        mmc::hsvToRgb(hi, val, false, trunc[hi][val]);
        mmc::hsvToRgb(hi, val, true, round[hi][val]);
      }
    }
  }
};

const HsvTables& hsvTables() {
  static const HsvTables tables;  // thread-safe one-time initialisation
  return tables;
}

[[noreturn]] void nonFinite(size_t i, int w) {
  throw std::invalid_argument("the flow has a non-finite value at pixel (" + std::to_string(i % w) + ", " +
                              std::to_string(i / w) + ")");
}

// Step 7-8: the value (from the magnitude via `value8`), the mask (no colour at the minimum magnitude)
// and the saturating add over the grey onset. M is float or double, as preprocess.py's arrays are.
template <typename M, typename Value>
void overlay(const MmcInput& in, const std::vector<M>& mag, const std::vector<uint8_t>& hue, M magMin, M magMax, Value value8,
             MmcOutput& out) {
  const int w = in.w, h = in.h;
  const HsvTables& tables = hsvTables();
  const int simdCols = (w / kHsvSimdBlock) * kHsvSimdBlock;
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const size_t i = size_t(y) * w + x;
      const int g = in.grey[i];
      uint8_t* o = out.rgb + i * 3;
      if (!(mag[i] > magMin)) {
        o[0] = o[1] = o[2] = uint8_t(g);
        continue;
      }
      const uint8_t* rgb = (x < simdCols ? tables.trunc : tables.round)[hue[i]][value8(mag[i])];
      o[0] = uint8_t(std::min(255, g + rgb[0]));
      o[1] = uint8_t(std::min(255, g + rgb[1]));
      o[2] = uint8_t(std::min(255, g + rgb[2]));
    }
  }
  out.magMin = magMin;
  out.magMax = magMax;
}

// Step 5-8 for a flow in float32 (the usual case): (cu, cv) = flow - head, float32.
void renderNarrow(const MmcInput& in, float headU, float headV, MmcOutput& out) {
  const size_t n = size_t(in.w) * in.h;
  std::vector<float> mag(n);
  std::vector<uint8_t> hue(n);
  float magMin = INFINITY, magMax = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const float u = in.u[i] - headU;
    const float v = in.v[i] - headV;
    if (!std::isfinite(u) || !std::isfinite(v)) nonFinite(i, in.w);
    const bool fused = mmc::vectorPathAt(i, n, mmc::kPolarBlock, kSimdMinElements);
    const float m = magnitude(u, v, fused);
    mag[i] = m;
    hue[i] = uint8_t(hueIndex(mmc::angleDegViaRadians(v, u, fused)));
    magMin = std::min(magMin, m);
    magMax = std::max(magMax, m);
  }
  float scale, shift;
  mmc::normalizeCoeffs(magMin, magMax, &scale, &shift);
  const bool fusedNorm = n >= kSimdMinElements;
  overlay(in, mag, hue, magMin, magMax, [&](float m) { return mmc::value8(m, scale, shift, fusedNorm); }, out);
}

// Step 5-8 in float64: preprocess.py's path when its mean is the float64 zero of an empty window.
void renderWide(const MmcInput& in, MmcOutput& out) {
  const size_t n = size_t(in.w) * in.h;
  std::vector<double> mag(n);
  std::vector<uint8_t> hue(n);
  double magMin = INFINITY, magMax = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const double u = in.u[i], v = in.v[i];
    if (!std::isfinite(u) || !std::isfinite(v)) nonFinite(i, in.w);
    const double m = mmc::magnitude64(u, v, mmc::vectorPathAt(i, n, mmc::kPolarBlock, mmc::kSimdMinElements64));
    const bool fusedAtan = mmc::vectorPathAt(i, n, mmc::kAtan64Block, kSimdMinElements);
    mag[i] = m;
    hue[i] = uint8_t(mmc::hueIndex64(mmc::angleDegViaRadians64(v, u, fusedAtan)));
    magMin = std::min(magMin, m);
    magMax = std::max(magMax, m);
  }
  double scale, shift;
  mmc::normalizeCoeffs64(magMin, magMax, &scale, &shift);
  overlay(in, mag, hue, magMin, magMax, [&](double m) { return mmc::value8_64(m, scale, shift); }, out);
}

}  // namespace

void renderMmc(const MmcInput& in, MmcOutput& out) {
  const int w = in.w, h = in.h;
  if (w <= 0 || h <= 0) throw std::invalid_argument("MMC render: empty image");
  if (!in.grey || !in.u || !in.v || !out.rgb) throw std::invalid_argument("MMC render: missing buffer");
  if (in.window < 1 || in.window % 2 == 0) throw std::invalid_argument("MMC render: window must be odd");

  // Step 4: head motion = numpy's float32 mean over the clipped window (sequential sum, see above).
  float headU = 0.f, headV = 0.f;
  out.emptyWindow = false;
  if (in.compensate) {
    int x0, x1, y0, y1;
    if (!clipNoseWindow(in.noseX, in.noseY, w, h, in.window, &x0, &x1, &y0, &y1)) {
      out.emptyWindow = true;
      out.headU = out.headV = 0.f;
      renderWide(in, out);
      return;
    }
    float su = 0.f, sv = 0.f;
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        su += in.u[size_t(y) * w + x];
        sv += in.v[size_t(y) * w + x];
      }
    }
    const float count = float((x1 - x0 + 1) * (y1 - y0 + 1));
    headU = su / count;
    headV = sv / count;
  }
  renderNarrow(in, headU, headV, out);
  out.headU = headU;
  out.headV = headV;
}

}  // namespace mellm
