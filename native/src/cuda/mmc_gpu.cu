// MMC-Map rendering on the GPU for a batch whose flow is already on the device (DESIGN.md section 2
// steps 4-8, preprocess.py of the authors' repo at b7daa0f). The per-pixel arithmetic is mmc_pixel.h, the
// same code the CPU renderer runs; the head vector is numpy's sequential float32 mean, summed by one
// thread per pair in the CPU's order, and min/max are exact, so the maps come out byte for byte as the
// CPU renders them from the same flow. A pair whose clipped nose window is empty (nose 6+ px outside the
// image; preprocess.py then works in float64) is copied back and rendered by the CPU renderer: a rare
// corner case, kept in one place.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "../mmc.h"
#include "../mmc_pixel.h"
#include "gpu_backend.h"
#include "gpu_runtime.h"
#include "mmc_gpu.h"

namespace mellm {
namespace gpu {
namespace {

constexpr int BX = 32;
constexpr int BY = 8;

struct PairParams {
  int compensate;
  int x0, x1, y0, y1;  // clipped nose window
  float headU, headV;
  float magMin, magMax;
  float scale, shift;
};

// One thread per pair: numpy's float32 mean over the clipped window (sequential sum in row-major order).
MELLM_KERNEL kHead(const float* u, const float* v, int w, int h, PairParams* pp, int batch) {
  int b = blockIdx.x * blockDim.x + threadIdx.x;
  if (b >= batch) return;
  PairParams& p = pp[b];
  p.headU = 0;
  p.headV = 0;
  p.magMin = INFINITY;
  p.magMax = 0.f;
  if (!p.compensate) return;
  const float* U = u + size_t(b) * w * h;
  const float* V = v + size_t(b) * w * h;
  float su = 0.f, sv = 0.f;
  for (int y = p.y0; y <= p.y1; y++)
    for (int x = p.x0; x <= p.x1; x++) {
      su += U[size_t(y) * w + x];
      sv += V[size_t(y) * w + x];
    }
  const float count = float((p.x1 - p.x0 + 1) * (p.y1 - p.y0 + 1));
  p.headU = su / count;
  p.headV = sv / count;
}

MELLM_KERNEL kMagHue(const float* u, const float* v, int w, int h, PairParams* pp, float* mag, uint8_t* hue) {
  int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= w || y >= h) return;
  PairParams& p = pp[blockIdx.z];
  const size_t n = size_t(w) * h;
  const size_t k = size_t(y) * w + x;  // index within the pair's image: decides OpenCV's code path
  size_t i = size_t(blockIdx.z) * n + k;
  const float uu = p.compensate ? u[i] - p.headU : u[i];
  const float vv = p.compensate ? v[i] - p.headV : v[i];
  const bool fused = mmc::vectorPathAt(k, n, mmc::kPolarBlock, mmc::kSimdMinElements);
  const float m = mmc::magnitude(uu, vv, fused);
  mag[i] = m;
  hue[i] = uint8_t(mmc::hueIndex(mmc::angleDegViaRadians(vv, uu, fused)));
  gpuAtomicMinFloatNonNeg(&p.magMin, m);
  gpuAtomicMaxFloatNonNeg(&p.magMax, m);
}

MELLM_KERNEL kScale(PairParams* pp, int batch) {
  int b = blockIdx.x * blockDim.x + threadIdx.x;
  if (b >= batch) return;
  mmc::normalizeCoeffs(pp[b].magMin, pp[b].magMax, &pp[b].scale, &pp[b].shift);
}

MELLM_KERNEL kColour(const uint8_t* grey, const float* mag, const uint8_t* hue, const PairParams* pp, uint8_t* rgb,
                     int w, int h, int fused, int simdCols) {
  int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= w || y >= h) return;
  const PairParams& p = pp[blockIdx.z];
  size_t i = size_t(blockIdx.z) * w * h + size_t(y) * w + x;
  const int g = grey[i];
  uint8_t* o = rgb + i * 3;
  if (!(mag[i] > p.magMin)) {  // the mask: no colour where the magnitude is the minimum
    o[0] = o[1] = o[2] = uint8_t(g);
    return;
  }
  const int val = mmc::value8(mag[i], p.scale, p.shift, fused != 0);
  uint8_t c[3];
  mmc::hsvToRgb(hue[i], val, x >= simdCols, c);
  o[0] = uint8_t(g + c[0] > 255 ? 255 : g + c[0]);
  o[1] = uint8_t(g + c[1] > 255 ? 255 : g + c[1]);
  o[2] = uint8_t(g + c[2] > 255 ? 255 : g + c[2]);
}

struct RenderWorkspace {
  DeviceBuffer<float> mag;
  DeviceBuffer<uint8_t> hue, rgb;
  DeviceBuffer<PairParams> params;
  PinnedBuffer<uint8_t> hostRgb;
  PinnedBuffer<PairParams> hostParams;
};

thread_local std::map<int, RenderWorkspace*> tlsRender;  // per device, as the TV-L1 workspace

}  // namespace

void renderBatchOnDevice(int device, const uint8_t* greyDev, const float* uDev, const float* vDev, int w, int h,
                         std::vector<FlowJob>& jobs, int window, cudaStream_t st) {
  const int B = static_cast<int>(jobs.size());
  const size_t n = size_t(w) * h;
  RenderWorkspace*& slot = tlsRender[device];
  if (!slot) slot = new RenderWorkspace();  // lives as long as the worker thread
  RenderWorkspace& rw = *slot;
  rw.mag.ensure(n * B, "render buffer");
  rw.hue.ensure(n * B, "render buffer");
  rw.rgb.ensure(3 * n * B, "render buffer");
  rw.params.ensure(size_t(B), "render parameters");
  rw.hostRgb.ensure(3 * n * B);
  rw.hostParams.ensure(size_t(B));
  std::vector<int> wide;  // pairs with an empty window: rendered on the host below
  for (int b = 0; b < B; ++b) {
    PairParams& p = rw.hostParams.get()[b];
    std::memset(&p, 0, sizeof p);
    p.compensate = jobs[b].compensate ? 1 : 0;
    jobs[b].emptyWindow = false;
    if (p.compensate && !clipNoseWindow(jobs[b].noseX, jobs[b].noseY, w, h, window, &p.x0, &p.x1, &p.y0, &p.y1)) {
      p.compensate = 0;  // the device renders it uncompensated; the host result replaces it
      if (jobs[b].rgb) wide.push_back(b);
    }
  }
  copyH2D(rw.params.get(), rw.hostParams.get(), sizeof(PairParams) * B, st);
  const int fused = n >= mmc::kSimdMinElements ? 1 : 0;
  const int simdCols = (w / mmc::kHsvSimdBlock) * mmc::kHsvSimdBlock;
  dim3 block(BX, BY), grid((w + BX - 1) / BX, (h + BY - 1) / BY, B);
  MELLM_LAUNCH(kHead, dim3((B + 63) / 64), dim3(64), st, uDev, vDev, w, h, rw.params.get(), B);
  MELLM_LAUNCH(kMagHue, grid, block, st, uDev, vDev, w, h, rw.params.get(), rw.mag.get(), rw.hue.get());
  MELLM_LAUNCH(kScale, dim3((B + 63) / 64), dim3(64), st, rw.params.get(), B);
  MELLM_LAUNCH(kColour, grid, block, st, greyDev, rw.mag.get(), rw.hue.get(), rw.params.get(), rw.rgb.get(), w, h, fused, simdCols);
  checkLaunch("MMC render kernels");
  copyD2H(rw.hostRgb.get(), rw.rgb.get(), 3 * n * B, st);
  copyD2H(rw.hostParams.get(), rw.params.get(), sizeof(PairParams) * B, st);
  syncStream(st);
  for (int b = 0; b < B; ++b) {
    if (!jobs[b].rgb) continue;
    std::memcpy(jobs[b].rgb, rw.hostRgb.get() + 3 * n * b, 3 * n);
    const PairParams& p = rw.hostParams.get()[b];
    jobs[b].headU = float(p.headU);
    jobs[b].headV = float(p.headV);
    jobs[b].magMin = p.magMin;
    jobs[b].magMax = p.magMax;
  }
  for (int b : wide) {
    std::vector<float> u(n), v(n);
    copyD2H(u.data(), uDev + n * b, n * sizeof(float), st);
    copyD2H(v.data(), vDev + n * b, n * sizeof(float), st);
    syncStream(st);
    MmcInput in;
    in.grey = jobs[b].onset;
    in.u = u.data();
    in.v = v.data();
    in.w = w;
    in.h = h;
    in.compensate = true;
    in.noseX = jobs[b].noseX;
    in.noseY = jobs[b].noseY;
    in.window = window;
    MmcOutput out;
    out.rgb = jobs[b].rgb;
    renderMmc(in, out);
    jobs[b].headU = out.headU;
    jobs[b].headV = out.headV;
    jobs[b].magMin = out.magMin;
    jobs[b].magMax = out.magMax;
    jobs[b].emptyWindow = out.emptyWindow;
  }
}

}  // namespace gpu
}  // namespace mellm
