// MMC-Map rendering, DESIGN.md section 2 steps 4-8.
#pragma once
#include <cstdint>

namespace mellm {

struct MmcInput {
  const uint8_t* grey;  // w*h onset luma
  const float* u;       // w*h flow x
  const float* v;       // w*h flow y
  int w = 0, h = 0;
  bool compensate = false;  // subtract the mean flow of the window centred on (noseX, noseY)
  int noseX = 0, noseY = 0;
  int window = 11;          // odd window side, clipped at the image border
};

struct MmcOutput {
  uint8_t* rgb = nullptr;   // w*h*3, RGB order
  float headU = 0, headV = 0;  // the subtracted head-motion vector (0,0 when not compensated)
  float magMin = 0, magMax = 0;
};

void renderMmc(const MmcInput& in, MmcOutput& out);

}  // namespace mellm
