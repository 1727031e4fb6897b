// MMC-Map rendering, DESIGN.md section 2 steps 4-8, reproducing the reference steps
//   cv2.cartToPolar(u, v, angleInDegrees=True); np.round(angle / 30) * 30 % 360; hue = q / 2;
//   V = cv2.normalize(mag, None, 0, 255, NORM_MINMAX).astype(uint8); cv2.cvtColor(HSV2RGB); cv2.add(grey3, rgb)
// bit for bit as Debian's OpenCV 4.6 computes them on x86-64 with AVX2 (the machine the reference maps were made
// on). OpenCV's results there depend on which of its code paths runs, so this file follows the same split:
// - cartToPolar: angle is OpenCV's fast polynomial atan2 in degrees (not libm atan2; differs by up to ~0.01
//   degrees, which moves pixels across the 15 + 30k quantisation boundaries), magnitude sqrt(fma(x, x, y*y)).
//   Arrays of 16+ elements go through the SIMD path, whose polynomial uses fused multiply-adds; shorter ones
//   through the scalar path (separate multiplies and adds).
// - normalize(NORM_MINMAX) to float: scale and shift rounded to float, applied as fma(mag, scale, shift) on
//   16+ elements; scale 0 when max - min <= DBL_EPSILON (constant field: V = 0, no colour).
// - cvtColor(HSV2RGB) on 8-bit: per row, the first floor(width / 32) * 32 pixels take the SIMD path, which
//   truncates the final float to 8 bits; the remaining pixels the scalar path, which rounds half to even.
// All three were checked against cv2 on millions of inputs (see test/unit/mmc-render.test.ts and
// scripts/fixtures/make_face_fixtures.py write_opencv_mmc).
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

using mmc::fastAtanDeg;
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

}  // namespace

void renderMmc(const MmcInput& in, MmcOutput& out) {
  const int w = in.w, h = in.h;
  if (w <= 0 || h <= 0) throw std::invalid_argument("MMC render: empty image");
  if (!in.grey || !in.u || !in.v || !out.rgb) throw std::invalid_argument("MMC render: missing buffer");
  if (in.window < 1 || in.window % 2 == 0) throw std::invalid_argument("MMC render: window must be odd");
  const size_t n = size_t(w) * h;

  // Step 4: head motion = mean flow over the window centred on the nose, clipped at the border.
  double headU = 0, headV = 0;
  if (in.compensate) {
    const int r = in.window / 2;
    const int x0 = std::max(0, in.noseX - r), x1 = std::min(w - 1, in.noseX + r);
    const int y0 = std::max(0, in.noseY - r), y1 = std::min(h - 1, in.noseY + r);
    if (x0 > x1 || y0 > y1) {
      throw std::invalid_argument("nose point (" + std::to_string(in.noseX) + ", " + std::to_string(in.noseY) +
                                  ") is outside the " + std::to_string(w) + "x" + std::to_string(h) + " image");
    }
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        headU += in.u[size_t(y) * w + x];
        headV += in.v[size_t(y) * w + x];
      }
    }
    const double count = double(x1 - x0 + 1) * double(y1 - y0 + 1);
    headU /= count;
    headV /= count;
  }

  // Step 5-6: compensated flow -> magnitude and quantised direction.
  const bool fused = n >= kSimdMinElements;
  std::vector<float> mag(n);
  std::vector<uint8_t> hue(n);
  float magMin = INFINITY, magMax = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const float u = in.compensate ? float(double(in.u[i]) - headU) : in.u[i];
    const float v = in.compensate ? float(double(in.v[i]) - headV) : in.v[i];
    if (!std::isfinite(u) || !std::isfinite(v)) {
      throw std::invalid_argument("the flow has a non-finite value at pixel (" + std::to_string(i % w) + ", " +
                                  std::to_string(i / w) + ")");
    }
    const float m = magnitude(u, v, fused);
    mag[i] = m;
    hue[i] = uint8_t(hueIndex(fastAtanDeg(v, u, fused)));
    magMin = std::min(magMin, m);
    magMax = std::max(magMax, m);
  }

  // Step 7: value = magnitude min-max normalised to 0..255 (float), truncated to 8 bits.
  float scale, shift;
  mmc::normalizeCoeffs(magMin, magMax, &scale, &shift);

  const HsvTables& tables = hsvTables();

  // Step 8: overlay = saturating add of the grey onset (3 channels) and the colour.
  const int simdCols = (w / kHsvSimdBlock) * kHsvSimdBlock;
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const size_t i = size_t(y) * w + x;
      const int val = mmc::value8(mag[i], scale, shift, fused);
      const uint8_t* rgb = (x < simdCols ? tables.trunc : tables.round)[hue[i]][val];
      const int g = in.grey[i];
      uint8_t* o = out.rgb + i * 3;
      o[0] = uint8_t(std::min(255, g + rgb[0]));
      o[1] = uint8_t(std::min(255, g + rgb[1]));
      o[2] = uint8_t(std::min(255, g + rgb[2]));
    }
  }

  out.headU = float(headU);
  out.headV = float(headV);
  out.magMin = magMin;
  out.magMax = magMax;
}

}  // namespace mellm
