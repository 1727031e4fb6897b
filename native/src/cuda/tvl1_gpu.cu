// TV-L1 optical flow on the GPU for batches of same-size pairs. It is the algorithm of OpenCV's
// DualTVL1OpticalFlow (as the CPU backend reproduces it): linear-interpolated pyramid with scaleStep,
// centred gradient of I1, bicubic backward warping with 1/32-pixel map quantisation and a zero border,
// 5x5 median of the flow at the start of every outer iteration, the thresholding / primal / dual
// updates, and the per-warp stopping rule (sum of squared updates <= epsilon^2 * area), evaluated per
// pair. Every pair of a batch is one z-slice of each launch, so a batch costs the launches of one pair,
// and an inner iteration is one launch (kIterate, ping-pong between two buffer sets).
// Compiled with nvcc --fmad=false so that float arithmetic rounds like the CPU code.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "gpu_backend.h"
#include "gpu_runtime.h"
#include "mmc_gpu.h"

namespace mellm {
namespace gpu {
namespace {

constexpr int BX = 32;
constexpr int BY = 8;
constexpr int TAB = 32;  // OpenCV's INTER_TAB_SIZE: remap coordinates are quantised to 1/32 pixel

inline dim3 gridFor(int w, int h, int batch) { return dim3((w + BX - 1) / BX, (h + BY - 1) / BY, batch); }

MELLM_DEVICE int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

MELLM_DEVICE int roundHalfEven(float v) {
#ifdef MELLM_GPU_EMULATE
  return static_cast<int>(std::nearbyint(v));
#else
  return __float2int_rn(v);
#endif
}

// ---------------------------------------------------------------------------------------------
// Conversions and the pyramid

MELLM_KERNEL kU8ToFloat(const uint8_t* src, float* dst, int w, int h) {
  int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= w || y >= h) return;
  size_t i = size_t(blockIdx.z) * w * h + size_t(y) * w + x;
  dst[i] = static_cast<float>(src[i]);
}

// cv::resize INTER_LINEAR on float images (resizeGeneric): source x clamped with a zero weight at the
// borders, source rows clipped; `scale` is the inverse of the size ratio as OpenCV computes it.
MELLM_KERNEL kResizeLinear(const float* src, int sw, int sh, float* dst, int dw, int dh, double scaleX, double scaleY,
                           float mul) {
  int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= dw || y >= dh) return;
  const float* S = src + size_t(blockIdx.z) * sw * sh;
  float fx = static_cast<float>((x + 0.5) * scaleX - 0.5);
  int sx = static_cast<int>(std::floor(fx));
  fx -= sx;
  if (sx < 0) {
    fx = 0.f;
    sx = 0;
  }
  bool single = false;
  if (sx + 1 >= sw) {
    single = true;
    if (sx >= sw - 1) {
      fx = 0.f;
      sx = sw - 1;
    }
  }
  float fy = static_cast<float>((y + 0.5) * scaleY - 0.5);
  int sy = static_cast<int>(std::floor(fy));
  fy -= sy;
  int y0 = clampi(sy, 0, sh - 1), y1 = clampi(sy + 1, 0, sh - 1);
  float a0 = 1.f - fx, a1 = fx;
  float b0 = 1.f - fy, b1 = fy;
  const float* r0 = S + size_t(y0) * sw;
  const float* r1 = S + size_t(y1) * sw;
  float h0 = single ? r0[sx] : r0[sx] * a0 + r0[sx + 1] * a1;
  float h1 = single ? r1[sx] : r1[sx] * a0 + r1[sx + 1] * a1;
  float v = h0 * b0 + h1 * b1;
  dst[size_t(blockIdx.z) * dw * dh + size_t(y) * dw + x] = mul == 1.f ? v : v * mul;
}

// Centred differences with one-sided halves at the borders (OpenCV's centeredGradient).
MELLM_KERNEL kCenteredGradient(const float* src, float* dx, float* dy, int w, int h) {
  int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= w || y >= h) return;
  size_t base = size_t(blockIdx.z) * w * h;
  const float* S = src + base;
  size_t i = size_t(y) * w + x;
  int xl = x > 0 ? x - 1 : x, xr = x < w - 1 ? x + 1 : x;
  int yu = y > 0 ? y - 1 : y, yd = y < h - 1 ? y + 1 : y;
  dx[base + i] = 0.5f * (S[size_t(y) * w + xr] - S[size_t(y) * w + xl]);
  dy[base + i] = 0.5f * (S[size_t(yd) * w + x] - S[size_t(yu) * w + x]);
}

// ---------------------------------------------------------------------------------------------
// Warping: remap(INTER_CUBIC, BORDER_CONSTANT 0) of I1 and its gradient at x + u, then grad and rho_c

MELLM_DEVICE void cubicCoeffs(float x, float* c) {
  const float A = -0.75f;
  c[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
  c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
  c[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = 1.f - c[0] - c[1] - c[2];
}

// One bicubic sample given the top-left tap (sx, sy) and the 16 weights.
MELLM_DEVICE float sampleCubic(const float* S, int w, int h, int sx, int sy, const float* wt) {
  if (unsigned(sx) < unsigned(w > 3 ? w - 3 : 0) && unsigned(sy) < unsigned(h > 3 ? h - 3 : 0)) {
    const float* r = S + size_t(sy) * w + sx;
    float sum = r[0] * wt[0] + r[1] * wt[1] + r[2] * wt[2] + r[3] * wt[3];
    r += w;
    sum += r[0] * wt[4] + r[1] * wt[5] + r[2] * wt[6] + r[3] * wt[7];
    r += w;
    sum += r[0] * wt[8] + r[1] * wt[9] + r[2] * wt[10] + r[3] * wt[11];
    r += w;
    sum += r[0] * wt[12] + r[1] * wt[13] + r[2] * wt[14] + r[3] * wt[15];
    return sum;
  }
  if (sx >= w || sx + 4 <= 0 || sy >= h || sy + 4 <= 0) return 0.f;
  float sum = 0.f;
  for (int i = 0; i < 4; ++i) {
    int yi = sy + i;
    if (yi < 0 || yi >= h) continue;
    const float* r = S + size_t(yi) * w;
    for (int j = 0; j < 4; ++j) {
      int xj = sx + j;
      if (xj >= 0 && xj < w) sum += (r[xj] - 0.f) * wt[i * 4 + j];
    }
  }
  return sum;
}

MELLM_KERNEL kWarp(const float* I0, const float* I1, const float* I1x, const float* I1y, const float* u1,
                   const float* u2, float* I1wx, float* I1wy, float* grad, float* rho, int w, int h) {
  int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= w || y >= h) return;
  size_t base = size_t(blockIdx.z) * w * h;
  size_t i = base + size_t(y) * w + x;
  float mx = static_cast<float>(x) + u1[i];
  float my = static_cast<float>(y) + u2[i];
  int isx = roundHalfEven(mx * TAB), isy = roundHalfEven(my * TAB);
  int sx = (isx >> 5) - 1, sy = (isy >> 5) - 1;
  float kx[4], ky[4], wt[16];
  cubicCoeffs(static_cast<float>(isx & (TAB - 1)) * (1.f / TAB), kx);
  cubicCoeffs(static_cast<float>(isy & (TAB - 1)) * (1.f / TAB), ky);
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b) wt[a * 4 + b] = ky[a] * kx[b];
  float w1 = sampleCubic(I1 + base, w, h, sx, sy, wt);
  float wx = sampleCubic(I1x + base, w, h, sx, sy, wt);
  float wy = sampleCubic(I1y + base, w, h, sx, sy, wt);
  I1wx[i] = wx;
  I1wy[i] = wy;
  grad[i] = wx * wx + wy * wy;
  rho[i] = w1 - wx * u1[i] - wy * u2[i] - I0[i];
}

// ---------------------------------------------------------------------------------------------
// Stopping rule, evaluated per pair on the device. err holds 3 slots of `batch` doubles: iteration n
// accumulates into slot n%3, reads slot (n-1)%3 to decide whether the pair is still iterating, and the
// dual kernel of iteration n clears slot (n+1)%3 for the next one. n restarts at 0 with every warp.

MELLM_DEVICE bool pairActive(const double* err, int batch, int n, double eps) {
  if (n == 0) return true;
  return err[size_t((n + 2) % 3) * batch + blockIdx.z] > eps;
}

// cv::medianBlur of a float plane (ksize 3 or 5, replicated border).
MELLM_KERNEL kMedian(const float* u1, const float* u2, float* o1, float* o2, int w, int h, int ksize, const double* err,
                     int batch, int n, double eps) {
  if (!pairActive(err, batch, n, eps)) return;
  int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= w || y >= h) return;
  size_t base = size_t(blockIdx.z) * w * h;
  for (int c = 0; c < 2; ++c) {
    const float* S = (c == 0 ? u1 : u2) + base;
    const int r = ksize / 2, count = ksize * ksize, mid = count / 2;
    float v[25];
    int k = 0;
    for (int dy = -r; dy <= r; ++dy) {
      const float* row = S + size_t(clampi(y + dy, 0, h - 1)) * w;  // BORDER_REPLICATE
      for (int dx = -r; dx <= r; ++dx) v[k++] = row[clampi(x + dx, 0, w - 1)];
    }
    // Partial selection sort up to the middle element.
    for (int a = 0; a <= mid; ++a) {
      int m = a;
      for (int b = a + 1; b < count; ++b)
        if (v[b] < v[m]) m = b;
      float t = v[a];
      v[a] = v[m];
      v[m] = t;
    }
    (c == 0 ? o1 : o2)[base + size_t(y) * w + x] = v[mid];
  }
}

MELLM_KERNEL kCopyBack(const float* o1, const float* o2, float* u1, float* u2, int w, int h, const double* err, int batch,
                       int n, double eps) {
  if (!pairActive(err, batch, n, eps)) return;
  int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= w || y >= h) return;
  size_t i = size_t(blockIdx.z) * w * h + size_t(y) * w + x;
  u1[i] = o1[i];
  u2[i] = o2[i];
}

// One inner iteration reads the flow and dual variables of one buffer set and writes the other (ping-pong),
// so that no thread reads what another thread of the same launch writes.
struct PlaneSet {
  float *u1, *u2, *p11, *p12, *p21, *p22;
};

// estimateV (thresholding) + divergence of p + estimateU at pixel (x, y) from set R: the new flow there.
MELLM_DEVICE void primalAt(int x, int y, int w, size_t i, const float* I1wx, const float* I1wy, const float* grad,
                           const float* rhoC, const PlaneSet& R, float lt, float theta, float* n1, float* n2) {
  const float ix = I1wx[i], iy = I1wy[i], g = grad[i];
  const float u1k = R.u1[i], u2k = R.u2[i];
  const float rho = rhoC[i] + (ix * u1k + iy * u2k);
  float d1 = 0.f, d2 = 0.f;
  if (rho < -lt * g) {
    d1 = lt * ix;
    d2 = lt * iy;
  } else if (rho > lt * g) {
    d1 = -lt * ix;
    d2 = -lt * iy;
  } else if (g > FLT_EPSILON) {
    float fi = -rho / g;
    d1 = fi * ix;
    d2 = fi * iy;
  }
  const float v1 = u1k + d1, v2 = u2k + d2;
  float div1, div2;
  const size_t l = i - 1, up = i - size_t(w);
  if (x > 0 && y > 0) {
    div1 = (R.p11[i] - R.p11[l]) + (R.p12[i] - R.p12[up]);
    div2 = (R.p21[i] - R.p21[l]) + (R.p22[i] - R.p22[up]);
  } else if (y == 0 && x > 0) {
    div1 = R.p11[i] - R.p11[l] + R.p12[i];
    div2 = R.p21[i] - R.p21[l] + R.p22[i];
  } else if (x == 0 && y > 0) {
    div1 = R.p11[i] + R.p12[i] - R.p12[up];
    div2 = R.p21[i] + R.p22[i] - R.p22[up];
  } else {
    div1 = R.p11[i] + R.p12[i];
    div2 = R.p21[i] + R.p22[i];
  }
  *n1 = v1 + theta * div1;
  *n2 = v2 + theta * div2;
}

// One whole inner iteration, R -> W: the primal step at this pixel (and, for the forward gradient, at its
// right and lower neighbours, recomputed here bit for bit as their own threads compute them), then the
// dual update of p. Accumulates the squared flow update of the pair for the stopping rule, clears the
// error slot of iteration n+1, and records which set holds the pair's latest values (last[pair] = k+1).
MELLM_KERNEL kIterate(const float* I1wx, const float* I1wy, const float* grad, const float* rhoC, PlaneSet R, PlaneSet W,
                      double* err, int* last, int batch, int n, int k, double eps, float lt, float theta, float taut, int w,
                      int h) {
  const bool first = blockIdx.x == 0 && blockIdx.y == 0 && threadIdx.x == 0 && threadIdx.y == 0;
  if (first) err[size_t((n + 1) % 3) * batch + blockIdx.z] = 0.0;
  if (!pairActive(err, batch, n, eps)) return;
  if (first) last[blockIdx.z] = k + 1;
  const int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  double e = 0.0;
  if (x < w && y < h) {
    const size_t i = size_t(blockIdx.z) * w * h + size_t(y) * w + x;
    float a1, a2;  // the new flow here
    primalAt(x, y, w, i, I1wx, I1wy, grad, rhoC, R, lt, theta, &a1, &a2);
    const float u1k = R.u1[i], u2k = R.u2[i];
    e = static_cast<double>((a1 - u1k) * (a1 - u1k) + (a2 - u2k) * (a2 - u2k));
    W.u1[i] = a1;
    W.u2[i] = a2;
    float u1x = 0.f, u2x = 0.f, u1y = 0.f, u2y = 0.f;
    if (x < w - 1) {
      float r1, r2;
      primalAt(x + 1, y, w, i + 1, I1wx, I1wy, grad, rhoC, R, lt, theta, &r1, &r2);
      u1x = r1 - a1;
      u2x = r2 - a2;
    }
    if (y < h - 1) {
      float d1, d2;
      primalAt(x, y + 1, w, i + size_t(w), I1wx, I1wy, grad, rhoC, R, lt, theta, &d1, &d2);
      u1y = d1 - a1;
      u2y = d2 - a2;
    }
    const float g1 = static_cast<float>(hypot(static_cast<double>(u1x), static_cast<double>(u1y)));
    const float g2 = static_cast<float>(hypot(static_cast<double>(u2x), static_cast<double>(u2y)));
    const float ng1 = 1.0f + taut * g1;
    const float ng2 = 1.0f + taut * g2;
    W.p11[i] = (R.p11[i] + taut * u1x) / ng1;
    W.p12[i] = (R.p12[i] + taut * u1y) / ng1;
    W.p21[i] = (R.p21[i] + taut * u2x) / ng2;
    W.p22[i] = (R.p22[i] + taut * u2y) / ng2;
  }
  warpReduceAddToDouble(err + size_t(n % 3) * batch + blockIdx.z, e);
}

// After an outer iteration's inner loop: pairs whose latest values ended in set B (an odd number of
// iterations ran) get them copied back to set A, where the median, the next warp and the upsampling read.
MELLM_KERNEL kSettle(PlaneSet A, PlaneSet B, const int* last, int w, int h) {
  if ((last[blockIdx.z] & 1) == 0) return;
  const int x = blockIdx.x * BX + threadIdx.x, y = blockIdx.y * BY + threadIdx.y;
  if (x >= w || y >= h) return;
  const size_t i = size_t(blockIdx.z) * w * h + size_t(y) * w + x;
  A.u1[i] = B.u1[i];
  A.u2[i] = B.u2[i];
  A.p11[i] = B.p11[i];
  A.p12[i] = B.p12[i];
  A.p21[i] = B.p21[i];
  A.p22[i] = B.p22[i];
}

// ---------------------------------------------------------------------------------------------
// Host side

struct Level {
  int w = 0, h = 0;
  size_t off = 0;  // offset of this level in the pyramid buffers, in elements per batch
};

// Device memory for one batch, kept per host thread and reused while sizes fit.
struct Workspace {
  DeviceBuffer<uint8_t> u8;
  DeviceBuffer<float> I0s, I1s, u1s, u2s;  // all pyramid levels, batch-major per level
  DeviceBuffer<float> I1x, I1y, I1wx, I1wy, grad, rho, p11, p12, p21, p22, t1, t2, q11, q12, q21, q22;
  DeviceBuffer<double> err;
  DeviceBuffer<int> last;
  PinnedBuffer<uint8_t> hostIn;
  PinnedBuffer<float> hostOut;
  PinnedBuffer<double> hostErr;
  cudaStream_t stream{};
  bool hasStream = false;
  ~Workspace() {
    if (hasStream) destroyStream(stream);
  }
};

// One workspace per (host thread, device): buffers and streams belong to the device they were made on.
thread_local std::map<int, Workspace*> tlsWorkspaces;

Workspace& workspace(int device) {
  Workspace*& ws = tlsWorkspaces[device];
  if (!ws) ws = new Workspace();  // lives as long as the libuv worker thread
  if (!ws->hasStream) {
    ws->stream = createStream();
    ws->hasStream = true;
  }
  return *ws;
}

// Pyramid sizes as cv::resize(Size(), scaleStep, scaleStep) gives them, stopping below 16 pixels.
std::vector<Level> pyramid(int w, int h, const TvL1Params& p) {
  std::vector<Level> levels;
  levels.push_back({w, h, 0});
  size_t off = size_t(w) * h;
  for (int s = 1; s < p.nscales; ++s) {
    const Level& prev = levels.back();
    int nw = static_cast<int>(std::nearbyint(prev.w * p.scaleStep));
    int nh = static_cast<int>(std::nearbyint(prev.h * p.scaleStep));
    if (nw < 16 || nh < 16) break;
    levels.push_back({nw, nh, off});
    off += size_t(nw) * nh;
  }
  return levels;
}

}  // namespace

int countDevices(std::string* why) { return deviceCount(why); }

bool tvl1FlowBatch(int device, std::vector<FlowJob>& jobs, int w, int h, const TvL1Params& p, const CancelFlag& cancel,
                   int window) {
  const int B = static_cast<int>(jobs.size());
  if (B == 0) return true;
  if (jobs.size() > kMaxBatch) throw GpuError("a CUDA batch holds at most " + std::to_string(kMaxBatch) + " pairs");
  if (w < 3 || h < 3) throw GpuError("TV-L1 needs images of at least 3x3 pixels");
  if (p.gamma != 0.0) throw GpuError("the CUDA backend computes TV-L1 with gamma = 0 only: set device 'cpu' for gamma != 0");
  if (p.medianFiltering > 1 && p.medianFiltering != 3 && p.medianFiltering != 5)
    throw GpuError("medianFiltering must be 0, 1, 3 or 5 (OpenCV's float median supports 3 and 5)");
  setDevice(device);
  Workspace& ws = workspace(device);
  cudaStream_t st = ws.stream;
  const size_t n0 = size_t(w) * h;
  std::vector<Level> levels = pyramid(w, h, p);
  const Level& last = levels.back();
  const size_t pyr = last.off + size_t(last.w) * last.h;  // elements per pair over all levels

  ws.u8.ensure(2 * n0 * B, "upload buffer");
  ws.I0s.ensure(pyr * B, "pyramid");
  ws.I1s.ensure(pyr * B, "pyramid");
  ws.u1s.ensure(pyr * B, "flow pyramid");
  ws.u2s.ensure(pyr * B, "flow pyramid");
  for (auto* b : {&ws.I1x, &ws.I1y, &ws.I1wx, &ws.I1wy, &ws.grad, &ws.rho, &ws.p11, &ws.p12, &ws.p21, &ws.p22, &ws.t1, &ws.t2,
                  &ws.q11, &ws.q12, &ws.q21, &ws.q22})
    b->ensure(n0 * B, "TV-L1 work buffer");
  ws.err.ensure(3 * size_t(B), "error slots");
  ws.last.ensure(size_t(B), "iteration parity");
  ws.hostIn.ensure(2 * n0 * B);
  ws.hostOut.ensure(2 * n0 * B);
  ws.hostErr.ensure(size_t(B));

  // Level buffers are stored level-major: level s of pair b starts at s.off*B + b*s.w*s.h.
  auto at = [B](float* base, const Level& L) { return base + L.off * B; };

  for (int b = 0; b < B; ++b) {
    std::memcpy(ws.hostIn.get() + size_t(b) * n0, jobs[b].onset, n0);
    std::memcpy(ws.hostIn.get() + size_t(B) * n0 + size_t(b) * n0, jobs[b].apex, n0);
  }
  copyH2D(ws.u8.get(), ws.hostIn.get(), 2 * n0 * B, st);
  dim3 block(BX, BY);
  MELLM_LAUNCH(kU8ToFloat, gridFor(w, h, B), block, st, ws.u8.get(), at(ws.I0s.get(), levels[0]), w, h);
  MELLM_LAUNCH(kU8ToFloat, gridFor(w, h, B), block, st, ws.u8.get() + n0 * B, at(ws.I1s.get(), levels[0]), w, h);
  checkLaunch("conversion kernel");
  for (size_t s = 1; s < levels.size(); ++s) {
    const Level &S = levels[s - 1], &D = levels[s];
    const double sc = 1.0 / p.scaleStep;  // cv::resize with fx = scaleStep keeps 1/fx as the source step
    MELLM_LAUNCH(kResizeLinear, gridFor(D.w, D.h, B), block, st, at(ws.I0s.get(), S), S.w, S.h, at(ws.I0s.get(), D), D.w, D.h, sc, sc, 1.f);
    MELLM_LAUNCH(kResizeLinear, gridFor(D.w, D.h, B), block, st, at(ws.I1s.get(), S), S.w, S.h, at(ws.I1s.get(), D), D.w, D.h, sc, sc, 1.f);
  }
  checkLaunch("pyramid kernels");
  const Level& top = levels.back();
  memsetAsync(at(ws.u1s.get(), top), 0, size_t(top.w) * top.h * B * sizeof(float), st);
  memsetAsync(at(ws.u2s.get(), top), 0, size_t(top.w) * top.h * B * sizeof(float), st);

  const float lt = static_cast<float>(p.lambda * p.theta);
  const float taut = static_cast<float>(p.tau / p.theta);
  const float theta = static_cast<float>(p.theta);

  for (int s = static_cast<int>(levels.size()) - 1; s >= 0; --s) {
    if (cancel.cancelled.load()) return false;
    const Level& L = levels[s];
    const dim3 grid = gridFor(L.w, L.h, B);
    const size_t nL = size_t(L.w) * L.h * B;
    float *I0 = at(ws.I0s.get(), L), *I1 = at(ws.I1s.get(), L), *u1 = at(ws.u1s.get(), L), *u2 = at(ws.u2s.get(), L);
    // Scaled epsilon in float, compared as OpenCV does (error > epsilon^2 * area).
    const double eps = static_cast<double>(static_cast<float>(p.epsilon * p.epsilon * double(L.w) * L.h));
    MELLM_LAUNCH(kCenteredGradient, grid, block, st, I1, ws.I1x.get(), ws.I1y.get(), L.w, L.h);
    for (auto* b : {&ws.p11, &ws.p12, &ws.p21, &ws.p22}) memsetAsync(b->get(), 0, nL * sizeof(float), st);
    for (int warp = 0; warp < p.warps; ++warp) {
      if (cancel.cancelled.load()) return false;
      MELLM_LAUNCH(kWarp, grid, block, st, I0, I1, ws.I1x.get(), ws.I1y.get(), u1, u2, ws.I1wx.get(), ws.I1wy.get(),
                   ws.grad.get(), ws.rho.get(), L.w, L.h);
      memsetAsync(ws.err.get(), 0, 3 * size_t(B) * sizeof(double), st);
      // Set A: the level's flow and p; set B: t1/t2 (free during the inner loop) and q.
      const PlaneSet A{u1, u2, ws.p11.get(), ws.p12.get(), ws.p21.get(), ws.p22.get()};
      const PlaneSet Bs{ws.t1.get(), ws.t2.get(), ws.q11.get(), ws.q12.get(), ws.q21.get(), ws.q22.get()};
      int n = 0;
      for (int outer = 0; outer < p.outerIterations; ++outer) {
        if (p.medianFiltering > 1) {
          MELLM_LAUNCH(kMedian, grid, block, st, u1, u2, ws.t1.get(), ws.t2.get(), L.w, L.h, p.medianFiltering, ws.err.get(), B, n, eps);
          MELLM_LAUNCH(kCopyBack, grid, block, st, ws.t1.get(), ws.t2.get(), u1, u2, L.w, L.h, ws.err.get(), B, n, eps);
        }
        memsetAsync(ws.last.get(), 0, size_t(B) * sizeof(int), st);
        for (int k = 0; k < p.innerIterations; ++k, ++n) {
          const bool even = (k & 1) == 0;
          MELLM_LAUNCH(kIterate, grid, block, st, ws.I1wx.get(), ws.I1wy.get(), ws.grad.get(), ws.rho.get(), even ? A : Bs,
                       even ? Bs : A, ws.err.get(), ws.last.get(), B, n, k, eps, lt, theta, taut, L.w, L.h);
        }
        MELLM_LAUNCH(kSettle, grid, block, st, A, Bs, ws.last.get(), L.w, L.h);
        checkLaunch("TV-L1 iteration kernels");
        // One small read-back per outer iteration: stop launching once every pair has converged.
        copyD2H(ws.hostErr.get(), ws.err.get() + size_t((n + 2) % 3) * B, size_t(B) * sizeof(double), st);
        syncStream(st);
        bool any = false;
        for (int b = 0; b < B; ++b) any = any || ws.hostErr.get()[b] > eps;
        if (!any) break;
      }
    }
    if (s == 0) break;
    // Upsample the flow to the next finer level and scale it by 1/scaleStep.
    const Level& F = levels[s - 1];
    const float mul = static_cast<float>(1.0 / p.scaleStep);
    // cv::resize to a given size: inv_scale = dst/src, and the source step is 1/inv_scale.
    const double sx = 1.0 / (double(F.w) / L.w), sy = 1.0 / (double(F.h) / L.h);
    MELLM_LAUNCH(kResizeLinear, gridFor(F.w, F.h, B), block, st, u1, L.w, L.h, at(ws.u1s.get(), F), F.w, F.h, sx, sy, mul);
    MELLM_LAUNCH(kResizeLinear, gridFor(F.w, F.h, B), block, st, u2, L.w, L.h, at(ws.u2s.get(), F), F.w, F.h, sx, sy, mul);
    checkLaunch("flow upsampling");
  }
  bool anyRender = std::any_of(jobs.begin(), jobs.end(), [](const FlowJob& j) { return j.rgb != nullptr; });
  if (anyRender) renderBatchOnDevice(device, ws.u8.get(), at(ws.u1s.get(), levels[0]), at(ws.u2s.get(), levels[0]), w, h, jobs, window, st);
  copyD2H(ws.hostOut.get(), at(ws.u1s.get(), levels[0]), n0 * B * sizeof(float), st);
  copyD2H(ws.hostOut.get() + n0 * B, at(ws.u2s.get(), levels[0]), n0 * B * sizeof(float), st);
  syncStream(st);
  for (int b = 0; b < B; ++b) {
    std::memcpy(jobs[b].u, ws.hostOut.get() + size_t(b) * n0, n0 * sizeof(float));
    std::memcpy(jobs[b].v, ws.hostOut.get() + n0 * B + size_t(b) * n0, n0 * sizeof(float));
  }
  return true;
}

}  // namespace gpu
}  // namespace mellm
