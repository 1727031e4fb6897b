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

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mellm {
namespace {

// OpenCV's atan polynomial coefficients, pre-scaled to degrees (values from its documented fastAtan2).
const float kP1 = 0.9997878412794807f * (float)(180 / 3.14159265358979323846);
const float kP3 = -0.3258083974640975f * (float)(180 / 3.14159265358979323846);
const float kP5 = 0.1555786518463281f * (float)(180 / 3.14159265358979323846);
const float kP7 = -0.04432655554792128f * (float)(180 / 3.14159265358979323846);

// Below this many elements OpenCV's vector loops do not run and its scalar code does the work.
const size_t kSimdMinElements = 16;
// HSV2RGB_b's vector loop handles 4 x 8 float lanes per step (AVX2).
const int kHsvSimdBlock = 32;

// Angle of (x, y) in degrees, [0, 360], as the SIMD (fused) or scalar path of OpenCV's fastAtan32f.
inline float fastAtanDeg(float y, float x, bool fused) {
  float ax = std::fabs(x), ay = std::fabs(y);
  float a;
  if (fused) {
    float c = std::min(ax, ay) / (std::max(ax, ay) + (float)DBL_EPSILON);
    float cc = c * c;
    a = std::fmaf(std::fmaf(std::fmaf(cc, kP7, kP5), cc, kP3), cc, kP1) * c;
    if (!(ax >= ay)) a = 90.f - a;
  } else if (ax >= ay) {
    float c = ay / (ax + (float)DBL_EPSILON);
    float c2 = c * c;
    a = (((kP7 * c2 + kP5) * c2 + kP3) * c2 + kP1) * c;
  } else {
    float c = ax / (ay + (float)DBL_EPSILON);
    float c2 = c * c;
    a = 90.f - (((kP7 * c2 + kP5) * c2 + kP3) * c2 + kP1) * c;
  }
  if (x < 0) a = 180.f - a;
  if (y < 0) a = 360.f - a;
  return a;
}

inline float magnitude(float x, float y, bool fused) {
  return fused ? std::sqrt(std::fmaf(x, x, y * y)) : std::sqrt(x * x + y * y);
}

// Quantised hue on OpenCV's 0..180 scale, as index 0..11 (hue = 15 * index):
// q = np.round(angle / 30) * 30 % 360 in float32, round half to even; hue = q / 2. For angles in [0, 360] the
// rounded step r is 0..12 and r * 30 is exact, so q / 30 = r % 12.
inline int hueIndex(float angleDeg) {
  const int r = int(std::nearbyint(angleDeg / 30.f));  // default rounding mode: to nearest, ties to even
  return r % 12;
}

// RGB of HSV (hue = 15 * index on the 0..180 scale, S = 255, V = 0..255) as OpenCV's 8-bit HSV2RGB:
// float h, s = S / 255, v = V / 255; sector and fraction of h * 6 / 180; then x * 255 truncated (vector path)
// or rounded half to even (scalar path). Only 12 x 256 inputs occur, so both variants are tabulated once.
struct HsvTables {
  uint8_t trunc[12][256][3];
  uint8_t round[12][256][3];
  HsvTables() {
    fill(false, trunc);
    fill(true, round);
  }
  static void fill(bool round, uint8_t table[12][256][3]);
};

const HsvTables& hsvTables() {
  static const HsvTables tables;  // thread-safe one-time initialisation
  return tables;
}

void HsvTables::fill(bool round, uint8_t table[12][256][3]) {
  static const int sectorData[6][3] = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};
  const float hscale = 6.0f / 180;
  const float s = 255 * (1.0f / 255.0f);
  for (int hi = 0; hi < 12; hi++) {
    float h = float(hi * 15) * hscale;
    int sector = int(std::floor(h));
    h -= float(sector);
    for (int val = 0; val < 256; val++) {
      float v = float(val) * (1.0f / 255.0f);
      float tab[4] = {v, v * (1.f - s), v * (1.f - s * h), v * (1.f - s * (1.f - h))};
      float bgr[3] = {tab[sectorData[sector][0]], tab[sectorData[sector][1]], tab[sectorData[sector][2]]};
      for (int c = 0; c < 3; c++) {
        float x = bgr[c] * 255.0f;
        float q = round ? std::nearbyint(x) : std::trunc(x);
        table[hi][val][2 - c] = uint8_t(std::min(255.f, std::max(0.f, q)));  // BGR -> RGB
      }
    }
  }
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
  const double smin = magMin, smax = magMax;
  const double scaleD = 255.0 * (smax - smin > DBL_EPSILON ? 1. / (smax - smin) : 0);
  const float scale = float(scaleD);
  const float shift = 0.f - float(smin * double(scale));

  const HsvTables& tables = hsvTables();

  // Step 8: overlay = saturating add of the grey onset (3 channels) and the colour.
  const int simdCols = (w / kHsvSimdBlock) * kHsvSimdBlock;
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const size_t i = size_t(y) * w + x;
      const float nv = fused ? std::fmaf(mag[i], scale, shift) : mag[i] * scale + shift;
      const int val = !(nv > 0.f) ? 0 : nv >= 255.f ? 255 : int(nv);  // numpy astype(uint8) truncates
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
