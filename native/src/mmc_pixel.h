// Per-pixel arithmetic of the MMC-Map (DESIGN.md section 2 steps 5-8), shared by the CPU renderer
// (mmc_render.cc) and the CUDA renderer (cuda/mmc_gpu.cu) so both give the same bytes. The reasons
// for each detail (OpenCV's fast atan2, the radians round trip of preprocess.py, fused multiply-adds on
// OpenCV's vector paths, truncating vs rounding HSV paths) are documented in mmc_render.cc.
#pragma once
#include <cfloat>
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define MMC_HD __host__ __device__ inline
#else
#define MMC_HD inline
#endif

namespace mellm {
namespace mmc {

// OpenCV's atan polynomial coefficients, pre-scaled to degrees (values from its documented fastAtan2).
#define MMC_RAD2DEG ((float)(180 / 3.14159265358979323846))
#define MMC_P1 (0.9997878412794807f * MMC_RAD2DEG)
#define MMC_P3 (-0.3258083974640975f * MMC_RAD2DEG)
#define MMC_P5 (0.1555786518463281f * MMC_RAD2DEG)
#define MMC_P7 (-0.04432655554792128f * MMC_RAD2DEG)

// Below this many elements OpenCV's vector loops do not run and its scalar code does the work.
constexpr size_t kSimdMinElements = 16;
// The same for its float64 loops (AVX2: 2 x 4 double lanes).
constexpr size_t kSimdMinElements64 = 8;
// cv::cartToPolar works through a continuous array in blocks of this many elements (each block is one
// call of its vector-or-scalar kernels), and for float64 its atan2 converts to float in sub-blocks of 128.
constexpr size_t kPolarBlock = 1024;
constexpr size_t kAtan64Block = 128;
// (float)(CV_PI / 180): cartToPolar's factor from its degree polynomial to radians.
#define MMC_DEG2RAD_F ((float)(3.14159265358979323846 / 180))
// np.pi as numpy uses it with a float32 array: rounded to float32.
#define MMC_PI_F ((float)3.14159265358979323846)
// HSV2RGB_b's vector loop handles 4 x 8 float lanes per step (AVX2).
constexpr int kHsvSimdBlock = 32;

MMC_HD float fminf_(float a, float b) { return a < b ? a : b; }
MMC_HD float fmaxf_(float a, float b) { return a > b ? a : b; }

// Angle of (x, y) in degrees, [0, 360], as the SIMD (fused) or scalar path of OpenCV's fastAtan32f.
MMC_HD float fastAtanDeg(float y, float x, bool fused) {
  float ax = std::fabs(x), ay = std::fabs(y);
  float a;
  if (fused) {
    float c = fminf_(ax, ay) / (fmaxf_(ax, ay) + (float)DBL_EPSILON);
    float cc = c * c;
    a = std::fmaf(std::fmaf(std::fmaf(cc, MMC_P7, MMC_P5), cc, MMC_P3), cc, MMC_P1) * c;
    if (!(ax >= ay)) a = 90.f - a;
  } else if (ax >= ay) {
    float c = ay / (ax + (float)DBL_EPSILON);
    float c2 = c * c;
    a = (((MMC_P7 * c2 + MMC_P5) * c2 + MMC_P3) * c2 + MMC_P1) * c;
  } else {
    float c = ax / (ay + (float)DBL_EPSILON);
    float c2 = c * c;
    a = 90.f - (((MMC_P7 * c2 + MMC_P5) * c2 + MMC_P3) * c2 + MMC_P1) * c;
  }
  if (x < 0) a = 180.f - a;
  if (y < 0) a = 360.f - a;
  return a;
}

MMC_HD float magnitude(float x, float y, bool fused) { return fused ? std::sqrt(std::fmaf(x, x, y * y)) : std::sqrt(x * x + y * y); }
MMC_HD double magnitude64(double x, double y, bool fused) { return fused ? std::sqrt(std::fma(x, x, y * y)) : std::sqrt(x * x + y * y); }

// Whether element i of an n-element array goes through OpenCV's vector loop: its block (of `block`
// elements, the last one shorter) must hold at least minLen elements.
MMC_HD bool vectorPathAt(size_t i, size_t n, size_t block, size_t minLen) {
  const size_t start = i / block * block;
  const size_t len = n - start < block ? n - start : block;
  return len >= minLen;
}

// preprocess.py's angle: cv2.cartToPolar in radians (the degree polynomial times (float)(pi/180)), then
// `angle * 180 / np.pi` in float32.
MMC_HD float angleDegViaRadians(float y, float x, bool fused) {
  const float rad = fastAtanDeg(y, x, fused) * MMC_DEG2RAD_F;
  return (rad * 180.f) / MMC_PI_F;
}
// The same in float64 (the flow promoted by a float64 mean): atan2 still in float, the rest in double.
MMC_HD double angleDegViaRadians64(double y, double x, bool fused) {
  const float rad = fastAtanDeg(float(y), float(x), fused) * MMC_DEG2RAD_F;
  return (double(rad) * 180.0) / 3.14159265358979323846;
}

// Quantised hue as index 0..11 (hue = 15 * index on OpenCV's 0..180 scale): np.round((angle % 360) / 30) * 30 % 360.
MMC_HD int hueIndex(float angleDeg) { return int(std::nearbyint(std::fmod(angleDeg, 360.f) / 30.f)) % 12; }
MMC_HD int hueIndex64(double angleDeg) { return int(std::nearbyint(std::fmod(angleDeg, 360.0) / 30.0)) % 12; }

// Scale and shift of cv2.normalize(NORM_MINMAX, 0..255) for a float image with this min and max.
MMC_HD void normalizeCoeffs(float magMin, float magMax, float* scale, float* shift) {
  const double smin = magMin, smax = magMax;
  const double scaleD = 255.0 * (smax - smin > DBL_EPSILON ? 1. / (smax - smin) : 0);
  *scale = float(scaleD);
  *shift = 0.f - float(smin * double(*scale));
}

// The same for a float64 image: scale and shift stay double.
MMC_HD void normalizeCoeffs64(double magMin, double magMax, double* scale, double* shift) {
  *scale = 255.0 * (magMax - magMin > DBL_EPSILON ? 1. / (magMax - magMin) : 0);
  *shift = 0.0 - magMin * *scale;
}

// 8-bit value: normalised magnitude truncated as numpy's assignment into uint8 does.
MMC_HD int value8(float mag, float scale, float shift, bool fused) {
  const float nv = fused ? std::fmaf(mag, scale, shift) : mag * scale + shift;
  return !(nv > 0.f) ? 0 : nv >= 255.f ? 255 : int(nv);
}
// Float64 normalize: OpenCV 4.6 applies scale and shift with a fused multiply-add at every length
// (checked with cv2 on 5..1000 elements).
MMC_HD int value8_64(double mag, double scale, double shift) {
  const double nv = std::fma(mag, scale, shift);
  return !(nv > 0.0) ? 0 : nv >= 255.0 ? 255 : int(nv);
}

// RGB of HSV (hue = 15 * index, S = 255, V = val) as OpenCV's 8-bit HSV2RGB, truncating (vector path)
// or rounding half to even (scalar path).
MMC_HD void hsvToRgb(int hi, int val, bool round, uint8_t* rgb) {
  const int sectorData[6][3] = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};
  const float hscale = 6.0f / 180;
  const float s = 255 * (1.0f / 255.0f);
  float h = float(hi * 15) * hscale;
  int sector = int(std::floor(h));
  h -= float(sector);
  float v = float(val) * (1.0f / 255.0f);
  float tab[4] = {v, v * (1.f - s), v * (1.f - s * h), v * (1.f - s * (1.f - h))};
  for (int c = 0; c < 3; c++) {
    float x = tab[sectorData[sector][c]] * 255.0f;
    float q = round ? std::nearbyint(x) : std::trunc(x);
    rgb[2 - c] = uint8_t(fminf_(255.f, fmaxf_(0.f, q)));  // BGR -> RGB
  }
}

}  // namespace mmc
}  // namespace mellm
