// MMC-Map rendering, DESIGN.md section 2 steps 4-8, as preprocess.py of the authors' repo
// (zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-, commit b7daa0f151c7ceac313fb3874ec43d9a82ca1b97) computes it.
#pragma once
#include <algorithm>
#include <cstdint>

namespace mellm {

struct MmcInput {
  const uint8_t* grey;  // w*h onset luma
  const float* u;       // w*h flow x
  const float* v;       // w*h flow y
  int w = 0, h = 0;
  bool compensate = false;  // subtract the mean flow of the window around the nose pixel (noseX, noseY)
  int noseX = 0, noseY = 0;  // already truncated (Python int()); may lie outside the image
  int window = 11;          // odd window side, clipped at the image border
};

struct MmcOutput {
  uint8_t* rgb = nullptr;   // w*h*3, RGB order
  float headU = 0, headV = 0;  // the subtracted head-motion vector (0,0 when not compensated)
  double magMin = 0, magMax = 0;
  // The clipped window was empty (nose 6+ px outside the image): nothing was subtracted and, as in
  // preprocess.py, where the mean is then the float64 array [0.0, 0.0], the map was made in float64.
  bool emptyWindow = false;
};

// The clipped window of preprocess.py: x in [max(nx - r, 0), min(nx + r + 1, w)), same for y (inclusive
// bounds out). Returns false when it is empty.
inline bool clipNoseWindow(int noseX, int noseY, int w, int h, int window, int* x0, int* x1, int* y0, int* y1) {
  const long r = window / 2;
  const long a = std::max<long>(long(noseX) - r, 0), b = std::min<long>(long(noseX) + r + 1, w);
  const long c = std::max<long>(long(noseY) - r, 0), d = std::min<long>(long(noseY) + r + 1, h);
  if (b <= a || d <= c) return false;
  *x0 = int(a);
  *x1 = int(b - 1);
  *y0 = int(c);
  *y1 = int(d - 1);
  return true;
}

void renderMmc(const MmcInput& in, MmcOutput& out);

}  // namespace mellm
