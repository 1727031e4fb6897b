// Row kernels of the TV-L1 solver (see tvl1_kernels.h). The arithmetic follows OpenCV's tvl1flow.cpp
// operation by operation (same formulas, same evaluation order, float throughout) so the result stays
// within rounding of OpenCV's; the speed comes from fusing passes, vectorised loops and threads.
//
// On x86-64 Linux (glibc, for ifunc) with GCC the hot loops are compiled for AVX2, AVX and baseline SSE2 and
// picked at load time (target_clones), so a build made on one machine still runs on an older one.
#include "tvl1_kernels.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "tvl1_median_net.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__)
#define MELLM_SIMD __attribute__((target_clones("avx2", "avx", "default")))
#else
#define MELLM_SIMD
#endif

// The row loops read and write distinct planes; tell the vectoriser so instead of having it version every
// loop on dozens of runtime alias checks (GCC gives up past 10).
#if defined(__clang__)
#define MELLM_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define MELLM_IVDEP _Pragma("GCC ivdep")
#else
#define MELLM_IVDEP
#endif

namespace mellm {
namespace tvl1 {
namespace {

// Sum of a float row through 8 independent lanes (vectorisable without reassociation flags).
inline double laneSum(const float* e, int n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int x = 0;
  for (; x + 8 <= n; x += 8)
    for (int k = 0; k < 8; ++k) acc[k] += e[x + k];
  double s = 0;
  for (; x < n; ++x) s += e[x];
  for (int k = 0; k < 8; ++k) s += acc[k];
  return s;
}

// OpenCV's estimateV for one pixel, returned as the step factor c with d = c * grad(I1w).
inline float stepFactor(float rho, float g, float lt) {
  const float fi = -rho / g;  // unused (and possibly inf/nan) when g <= FLT_EPSILON
  const bool below = rho < -lt * g, above = rho > lt * g, steep = g > FLT_EPSILON;  // all evaluated: no branches
  return below ? lt : (above ? -lt : (steep ? fi : 0.f));
}

template <bool G>
MELLM_SIMD double primalRow(const Planes& s, const Coeffs& c, int y, float* err) {
  const int w = s.w;
  const size_t o = size_t(y) * w;
  const float* __restrict ix = s.I1wx + o;
  const float* __restrict iy = s.I1wy + o;
  const float* __restrict gr = s.grad + o;
  const float* __restrict rc = s.rhoc + o;
  float* __restrict u1 = s.u1 + o;
  float* __restrict u2 = s.u2 + o;
  float* __restrict u3 = G ? s.u3 + o : nullptr;
  const float* __restrict p11 = s.p11 + o;
  const float* __restrict p12 = s.p12 + o;
  const float* __restrict p21 = s.p21 + o;
  const float* __restrict p22 = s.p22 + o;
  const float* __restrict p31 = G ? s.p31 + o : nullptr;
  const float* __restrict p32 = G ? s.p32 + o : nullptr;
  const bool top = y == 0;
  const float* __restrict p12u = top ? p12 : p12 - w;
  const float* __restrict p22u = top ? p22 : p22 - w;
  const float* __restrict p32u = G ? (top ? p32 : p32 - w) : nullptr;
  const float lt = c.lt, theta = c.theta, gamma = c.gamma;

  // x = 0: OpenCV's first-column divergence, v1(y,0) + v2(y,0) - v2(y-1,0) (just v1 + v2 on row 0).
  {
    const float d1 = top ? p11[0] + p12[0] : (p11[0] + p12[0]) - p12u[0];
    const float d2 = top ? p21[0] + p22[0] : (p21[0] + p22[0]) - p22u[0];
    const float rho = G ? rc[0] + (ix[0] * u1[0] + iy[0] * u2[0]) + gamma * u3[0] : rc[0] + (ix[0] * u1[0] + iy[0] * u2[0]);
    const float f = stepFactor(rho, gr[0], lt);
    const float a1 = (u1[0] + f * ix[0]) + theta * d1;
    const float a2 = (u2[0] + f * iy[0]) + theta * d2;
    float e = (a1 - u1[0]) * (a1 - u1[0]) + (a2 - u2[0]) * (a2 - u2[0]);
    if (G) {
      const float d3 = top ? p31[0] + p32[0] : (p31[0] + p32[0]) - p32u[0];
      const float a3 = (u3[0] + f * gamma) + theta * d3;
      e += (a3 - u3[0]) * (a3 - u3[0]);
      u3[0] = a3;
    }
    u1[0] = a1;
    u2[0] = a2;
    err[0] = e;
  }
  // Row 0 has no row above: its divergence is v1x + v2 (OpenCV), i.e. p?2u reads as 0.
  const float zmask = top ? 0.f : 1.f;
  MELLM_IVDEP
  for (int x = 1; x < w; ++x) {
    const float d1 = (p11[x] - p11[x - 1]) + (p12[x] - zmask * p12u[x]);
    const float d2 = (p21[x] - p21[x - 1]) + (p22[x] - zmask * p22u[x]);
    const float rho = G ? rc[x] + (ix[x] * u1[x] + iy[x] * u2[x]) + gamma * u3[x] : rc[x] + (ix[x] * u1[x] + iy[x] * u2[x]);
    const float f = stepFactor(rho, gr[x], lt);
    const float a1 = (u1[x] + f * ix[x]) + theta * d1;
    const float a2 = (u2[x] + f * iy[x]) + theta * d2;
    float e = (a1 - u1[x]) * (a1 - u1[x]) + (a2 - u2[x]) * (a2 - u2[x]);
    if (G) {
      const float d3 = (p31[x] - p31[x - 1]) + (p32[x] - zmask * p32u[x]);
      const float a3 = (u3[x] + f * gamma) + theta * d3;
      e += (a3 - u3[x]) * (a3 - u3[x]);
      u3[x] = a3;
    }
    u1[x] = a1;
    u2[x] = a2;
    err[x] = e;
  }
  return laneSum(err, w);
}

// OpenCV takes |grad u| with hypot() on floats; glibc's hypotf is the double sqrt of the exact double sum
// of squares, rounded to float. Doing the same (vectorised) keeps the dual step bit-identical to
// OpenCV's; a float sqrt of a float sum differs in the last bit now and then, and those bits grow over
// the iterations into ~0.001 px of flow.
inline float hypotF(float a, float b) { return float(std::sqrt(double(a) * a + double(b) * b)); }

template <bool G>
MELLM_SIMD void dualRow(const Planes& s, const Coeffs& c, int y) {
  const int w = s.w;
  const size_t o = size_t(y) * w;
  const size_t below = y + 1 < s.h ? size_t(w) : 0;  // last row: dy = 0 (reads the row itself)
  const float* __restrict u1 = s.u1 + o;
  const float* __restrict u2 = s.u2 + o;
  const float* __restrict u3 = G ? s.u3 + o : nullptr;
  const float* __restrict u1n = u1 + below;
  const float* __restrict u2n = u2 + below;
  const float* __restrict u3n = G ? u3 + below : nullptr;
  float* __restrict p11 = s.p11 + o;
  float* __restrict p12 = s.p12 + o;
  float* __restrict p21 = s.p21 + o;
  float* __restrict p22 = s.p22 + o;
  float* __restrict p31 = G ? s.p31 + o : nullptr;
  float* __restrict p32 = G ? s.p32 + o : nullptr;
  const float taut = c.taut;
  // The last column has no right neighbour: ux = 0 there (OpenCV's forwardGradient).
  auto pixel = [&](int x, bool last) {
    const float u1x = last ? 0.f : u1[x + 1] - u1[x];
    const float u2x = last ? 0.f : u2[x + 1] - u2[x];
    const float u1y = u1n[x] - u1[x];
    const float u2y = u2n[x] - u2[x];
    const float ng1 = 1.0f + taut * hypotF(u1x, u1y);
    const float ng2 = 1.0f + taut * hypotF(u2x, u2y);
    p11[x] = (p11[x] + taut * u1x) / ng1;
    p12[x] = (p12[x] + taut * u1y) / ng1;
    p21[x] = (p21[x] + taut * u2x) / ng2;
    p22[x] = (p22[x] + taut * u2y) / ng2;
    if (G) {
      const float u3x = last ? 0.f : u3[x + 1] - u3[x];
      const float u3y = u3n[x] - u3[x];
      const float ng3 = 1.0f + taut * hypotF(u3x, u3y);
      p31[x] = (p31[x] + taut * u3x) / ng3;
      p32[x] = (p32[x] + taut * u3y) / ng3;
    }
  };
  MELLM_IVDEP
  for (int x = 0; x + 1 < w; ++x) pixel(x, false);
  pixel(w - 1, true);
}

// OpenCV's remap weights for INTER_CUBIC on float images: the 1-D kernel (interpolateCubic, A = -0.75) at
// the 32 sub-pixel positions, and the 2-D weights as the float products wy[i] * wx[j], indexed like
// OpenCV's table by (fy * 32 + fx).
struct CubicTable {
  float w[32 * 32][16];
  CubicTable() {
    const float A = -0.75f;
    float c[32][4];
    for (int i = 0; i < 32; ++i) {
      const float x = i * (1.f / 32);
      c[i][0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
      c[i][1] = ((A + 2) * x - (A + 3)) * x * x + 1;
      c[i][2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
      c[i][3] = 1.f - c[i][0] - c[i][1] - c[i][2];
    }
    for (int fy = 0; fy < 32; ++fy)
      for (int fx = 0; fx < 32; ++fx)
        for (int i = 0; i < 4; ++i)
          for (int j = 0; j < 4; ++j) w[fy * 32 + fx][i * 4 + j] = c[fy][i] * c[fx][j];
  }
};
const CubicTable kCubic;

// The 4x4 bicubic sum for the packed planes (I1, I1x, I1y, pad): lane k sums its own plane in OpenCV's
// order, row by row S0*w0 + S1*w1 + S2*w2 + S3*w3, rows added to the running sum.
#if defined(__GNUC__)
typedef float v4f __attribute__((vector_size(16)));
inline v4f load4(const float* p) {
  v4f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void cubic4x4(const float* S, size_t stride, const float* wt, float* out) {
  v4f sum = load4(S) * wt[0] + load4(S + 4) * wt[1] + load4(S + 8) * wt[2] + load4(S + 12) * wt[3];
  for (int i = 1; i < 4; ++i) {
    const float* R = S + i * stride;
    const float* w = wt + 4 * i;
    sum += load4(R) * w[0] + load4(R + 4) * w[1] + load4(R + 8) * w[2] + load4(R + 12) * w[3];
  }
  std::memcpy(out, &sum, sizeof sum);
}
#else
inline void cubic4x4(const float* S, size_t stride, const float* wt, float* out) {
  for (int k = 0; k < 4; ++k) {
    float sum = S[k] * wt[0] + S[4 + k] * wt[1] + S[8 + k] * wt[2] + S[12 + k] * wt[3];
    for (int i = 1; i < 4; ++i) {
      const float* R = S + i * stride;
      const float* w = wt + 4 * i;
      sum += R[k] * w[0] + R[4 + k] * w[1] + R[8 + k] * w[2] + R[12 + k] * w[3];
    }
    out[k] = sum;
  }
}
#endif

}  // namespace

double updatePrimalRows(const Planes& s, const Coeffs& c, int y0, int y1, float* scratch) {
  double e = 0;
  for (int y = y0; y < y1; ++y) e += c.gamma != 0.f ? primalRow<true>(s, c, y, scratch) : primalRow<false>(s, c, y, scratch);
  return e;
}

void updateDualRows(const Planes& s, const Coeffs& c, int y0, int y1) {
  for (int y = y0; y < y1; ++y) {
    if (c.gamma != 0.f)
      dualRow<true>(s, c, y);
    else
      dualRow<false>(s, c, y);
  }
}

void centeredGradientRows(const float* src, int w, int h, float* dx, float* dy, int y0, int y1) {
  // Interior: halved central differences; borders: halved one-sided differences (OpenCV's choice).
  for (int y = y0; y < y1; ++y) {
    const float* c = src + size_t(y) * w;
    const float* p = y > 0 ? c - w : c;
    const float* n = y + 1 < h ? c + w : c;
    float* ox = dx + size_t(y) * w;
    float* oy = dy + size_t(y) * w;
    ox[0] = 0.5f * (c[1] - c[0]);
    for (int x = 1; x + 1 < w; ++x) ox[x] = 0.5f * (c[x + 1] - c[x - 1]);
    ox[w - 1] = 0.5f * (c[w - 1] - c[w - 2]);
    for (int x = 0; x < w; ++x) oy[x] = 0.5f * (n[x] - p[x]);
  }
}

void packPlanesRows(const float* I1, const float* I1x, const float* I1y, int w, float* pack, int y0, int y1) {
  for (size_t i = size_t(y0) * w, e = size_t(y1) * w; i < e; ++i) {
    pack[4 * i] = I1[i];
    pack[4 * i + 1] = I1x[i];
    pack[4 * i + 2] = I1y[i];
    pack[4 * i + 3] = 0.f;
  }
}

MELLM_SIMD void warpRows(const float* I0, const float* pack, const float* u1, const float* u2, int w, int h,
                         float* I1wx, float* I1wy, float* grad, float* rhoc, int y0, int y1) {
  const size_t stride = size_t(4) * w;
  for (int y = y0; y < y1; ++y) {
    const size_t o = size_t(y) * w;
    for (int x = 0; x < w; ++x) {
      // buildFlowMap + remap's fixed-point conversion: 1/32 px, rounded to nearest even.
      const float mx = float(x) + u1[o + x];
      const float my = float(y) + u2[o + x];
      const long X = std::lrint(mx * 32.f), Y = std::lrint(my * 32.f);
      const int sx = int(std::max(-32768L, std::min(32767L, X >> 5))) - 1;
      const int sy = int(std::max(-32768L, std::min(32767L, Y >> 5))) - 1;
      const float* wt = kCubic.w[(Y & 31) * 32 + (X & 31)];
      float out[4];
      if (sx >= 0 && sx < w - 3 && sy >= 0 && sy < h - 3) {
        cubic4x4(pack + sy * stride + size_t(4) * sx, stride, wt, out);
      } else if (sx >= w || sx + 4 <= 0 || sy >= h || sy + 4 <= 0) {
        out[0] = out[1] = out[2] = 0.f;  // BORDER_CONSTANT, value 0
      } else {
        // Partly outside: samples outside count as 0, added one by one (OpenCV's border branch).
        for (int k = 0; k < 3; ++k) {
          float sum = 0.f;
          for (int i = 0; i < 4; ++i) {
            const int yi = sy + i;
            if (yi < 0 || yi >= h) continue;
            const float* S = pack + yi * stride;
            for (int j = 0; j < 4; ++j) {
              const int xj = sx + j;
              if (xj >= 0 && xj < w) sum += S[size_t(4) * xj + k] * wt[i * 4 + j];
            }
          }
          out[k] = sum;
        }
      }
      // calcGradRho
      const float wx = out[1], wy = out[2];
      I1wx[o + x] = wx;
      I1wy[o + x] = wy;
      grad[o + x] = wx * wx + wy * wy;
      rhoc[o + x] = out[0] - wx * u1[o + x] - wy * u2[o + x] - I0[o + x];
    }
  }
}

namespace {

#define MELLM_CX(a, b)                  \
  {                                     \
    const float lo = std::min(t##a, t##b); \
    const float hi = std::max(t##a, t##b); \
    t##a = lo;                          \
    t##b = hi;                          \
  }

MELLM_SIMD void sortColumns5(float* c0, float* c1, float* c2, float* c3, float* c4, int n) {
  for (int i = 0; i < n; ++i) {
    float t0 = c0[i], t1 = c1[i], t2 = c2[i], t3 = c3[i], t4 = c4[i];
    MELLM_SORT5(MELLM_CX)
    c0[i] = t0, c1[i] = t1, c2[i] = t2, c3[i] = t3, c4[i] = t4;
  }
}

MELLM_SIMD void median5Row(const float* c0, const float* c1, const float* c2, const float* c3, const float* c4,
                           float* out, int w) {
  for (int x = 0; x < w; ++x) {
    float t0 = c0[x], t1 = c1[x], t2 = c2[x], t3 = c3[x], t4 = c4[x];
    float t5 = c0[x + 1], t6 = c1[x + 1], t7 = c2[x + 1], t8 = c3[x + 1], t9 = c4[x + 1];
    float t10 = c0[x + 2], t11 = c1[x + 2], t12 = c2[x + 2], t13 = c3[x + 2], t14 = c4[x + 2];
    float t15 = c0[x + 3], t16 = c1[x + 3], t17 = c2[x + 3], t18 = c3[x + 3], t19 = c4[x + 3];
    float t20 = c0[x + 4], t21 = c1[x + 4], t22 = c2[x + 4], t23 = c3[x + 4], t24 = c4[x + 4];
    MELLM_MEDIAN25_SORTEDCOLS(MELLM_CX)
    out[x] = t12;
  }
}

#undef MELLM_CX

}  // namespace

void medianRows(const float* src, int w, int h, int ksize, float* dst, int y0, int y1, float* scratch) {
  if (ksize == 5) {
    const int n = w + 4;
    float* c[5];
    for (int k = 0; k < 5; ++k) c[k] = scratch + size_t(k) * n;
    for (int y = y0; y < y1; ++y) {
      // Rows and columns clamped: replicated border, as OpenCV's float medianBlur.
      for (int k = 0; k < 5; ++k) {
        const float* r = src + size_t(std::min(std::max(y + k - 2, 0), h - 1)) * w;
        std::memcpy(c[k] + 2, r, sizeof(float) * w);
        c[k][0] = c[k][1] = r[0];
        c[k][w + 2] = c[k][w + 3] = r[w - 1];
      }
      sortColumns5(c[0], c[1], c[2], c[3], c[4], n);
      median5Row(c[0], c[1], c[2], c[3], c[4], dst + size_t(y) * w, w);
    }
    return;
  }
  // ksize 3 (not on the default path): plain selection.
  for (int y = y0; y < y1; ++y) {
    for (int x = 0; x < w; ++x) {
      float v[9];
      int k = 0;
      for (int dy = -1; dy <= 1; ++dy) {
        const float* r = src + size_t(std::min(std::max(y + dy, 0), h - 1)) * w;
        for (int dx = -1; dx <= 1; ++dx) v[k++] = r[std::min(std::max(x + dx, 0), w - 1)];
      }
      std::nth_element(v, v + 4, v + 9);
      dst[size_t(y) * w + x] = v[4];
    }
  }
}

}  // namespace tvl1
}  // namespace mellm
