// CPU TV-L1 optical flow reproducing OpenCV's cv::optflow::DualTVL1OpticalFlow (tvl1flow.cpp, OpenCV 4.x):
//  - 8-bit input taken as float on the 0..255 scale;
//  - pyramid by repeated resize(INTER_LINEAR, fx = fy = scaleStep), stopping before a level under 16 px;
//  - per level: centred gradient of I1; per warp: bicubic remap (1/32 px, A = -0.75, border 0) of I1 and its
//    gradient at x + u, then up to outerIterations x innerIterations of the primal-dual scheme, a 5x5 median
//    of u1 and u2 at the start of every outer iteration, stopping once the summed squared change of u
//    drops to epsilon^2 * pixels;
//  - flow upsampled with resize(INTER_LINEAR) and multiplied by 1 / scaleStep (u3, with gamma, not scaled).
// The per-pixel work lives in tvl1_kernels.cc; this file holds the schedule, the pyramid and the threads.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "tvl1.h"
#include "tvl1_kernels.h"
#include "tvl1_threadpool.h"

namespace mellm {
namespace {

using Plane = std::vector<float>;

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("TV-L1 parameter " + what);
}

void validate(const TvL1Params& p, int w, int h) {
  check(std::isfinite(p.tau) && p.tau > 0, "tau must be > 0 (got " + std::to_string(p.tau) + ")");
  check(std::isfinite(p.lambda) && p.lambda >= 0, "lambda must be >= 0 (got " + std::to_string(p.lambda) + ")");
  check(std::isfinite(p.theta) && p.theta > 0, "theta must be > 0 (got " + std::to_string(p.theta) + ")");
  check(p.nscales >= 1, "nscales must be >= 1 (got " + std::to_string(p.nscales) + ")");
  check(p.warps >= 1, "warps must be >= 1 (got " + std::to_string(p.warps) + ")");
  check(std::isfinite(p.epsilon) && p.epsilon >= 0, "epsilon must be >= 0 (got " + std::to_string(p.epsilon) + ")");
  check(p.innerIterations >= 1, "innerIterations must be >= 1 (got " + std::to_string(p.innerIterations) + ")");
  check(p.outerIterations >= 1, "outerIterations must be >= 1 (got " + std::to_string(p.outerIterations) + ")");
  check(std::isfinite(p.scaleStep) && p.scaleStep > 0 && p.scaleStep < 1,
        "scaleStep must be in (0, 1) (got " + std::to_string(p.scaleStep) + ")");
  check(std::isfinite(p.gamma) && p.gamma >= 0, "gamma must be >= 0 (got " + std::to_string(p.gamma) + ")");
  // OpenCV's medianBlur takes float planes only with ksize 3 or 5; <= 1 switches filtering off.
  check(p.medianFiltering <= 1 || p.medianFiltering == 3 || p.medianFiltering == 5,
        "medianFiltering must be 0/1 (off), 3 or 5 (got " + std::to_string(p.medianFiltering) + ")");
  if (w < 3 || h < 3) throw std::invalid_argument("TV-L1 needs images of at least 3x3 pixels");
}

// cv::resize(INTER_LINEAR) of a float plane: scaleX/scaleY = source pixels per destination pixel.
void resizeLinear(const float* src, int sw, int sh, float* dst, int dw, int dh, double scaleX, double scaleY) {
  std::vector<int> xo(dw), xo1(dw);
  std::vector<float> xa(dw);
  for (int dx = 0; dx < dw; ++dx) {
    float fx = float((dx + 0.5) * scaleX - 0.5);
    int sx = int(std::floor(fx));
    fx -= float(sx);
    if (sx < 0) fx = 0.f, sx = 0;
    if (sx >= sw - 1) fx = 0.f, sx = sw - 1;
    xo[dx] = sx;
    xo1[dx] = std::min(sx + 1, sw - 1);
    xa[dx] = fx;
  }
  std::vector<float> r0(dw), r1(dw);
  auto hresize = [&](int sy, float* row) {
    const float* S = src + size_t(sy) * sw;
    for (int dx = 0; dx < dw; ++dx) row[dx] = S[xo[dx]] * (1.f - xa[dx]) + S[xo1[dx]] * xa[dx];
  };
  for (int dy = 0; dy < dh; ++dy) {
    float fy = float((dy + 0.5) * scaleY - 0.5);
    const int sy = int(std::floor(fy));
    fy -= float(sy);
    const int y0 = std::min(std::max(sy, 0), sh - 1), y1 = std::min(std::max(sy + 1, 0), sh - 1);
    hresize(y0, r0.data());
    hresize(y1, r1.data());
    const float b0 = 1.f - fy, b1 = fy;
    float* D = dst + size_t(dy) * dw;
    for (int dx = 0; dx < dw; ++dx) D[dx] = r0[dx] * b0 + r1[dx] * b1;
  }
}

struct Level {
  int w, h;
  Plane I0, I1, u1, u2, u3;
};

class Solver {
 public:
  Solver(const TvL1Params& p, int w, int h, int threads, const CancelFlag& cancel)
      : p_(p), cancel_(cancel), pool_(threads), gamma_(p.gamma != 0) {
    const size_t n = size_t(w) * h;
    for (Plane* pl : {&I1x_, &I1y_, &I1wx_, &I1wy_, &grad_, &rhoc_, &p11_, &p12_, &p21_, &p22_, &tmp_}) pl->resize(n);
    pack_.resize(4 * n);
    if (gamma_) {
      p31_.resize(n);
      p32_.resize(n);
    }
    const int workers = pool_.size();
    scratch_.assign(workers, Plane(size_t(5) * (w + 4) + w));
  }

  bool run(const uint8_t* I0, const uint8_t* I1, int w, int h, float* u, float* v) {
    buildPyramid(I0, I1, w, h);
    const int nl = int(levels_.size());
    for (int s = nl - 1; s >= 0; --s) {
      if (cancelled()) return false;
      if (!procOneScale(levels_[s])) return false;
      if (s == 0) break;
      Level& c = levels_[s];
      Level& f = levels_[s - 1];
      const double sx = 1.0 / (double(f.w) / c.w), sy = 1.0 / (double(f.h) / c.h);
      resizeLinear(c.u1.data(), c.w, c.h, f.u1.data(), f.w, f.h, sx, sy);
      resizeLinear(c.u2.data(), c.w, c.h, f.u2.data(), f.w, f.h, sx, sy);
      if (gamma_) resizeLinear(c.u3.data(), c.w, c.h, f.u3.data(), f.w, f.h, sx, sy);
      // OpenCV multiplies by the scalar 1 / scaleStep converted to float.
      const float k = float(1.0 / p_.scaleStep);
      for (float& x : f.u1) x *= k;
      for (float& x : f.u2) x *= k;
    }
    const Level& L = levels_[0];
    std::copy(L.u1.begin(), L.u1.end(), u);
    std::copy(L.u2.begin(), L.u2.end(), v);
    return true;
  }

 private:
  bool cancelled() const { return cancel_.cancelled.load(std::memory_order_relaxed); }

  void buildPyramid(const uint8_t* I0, const uint8_t* I1, int w, int h) {
    levels_.clear();
    levels_.reserve(p_.nscales);
    levels_.push_back(Level{w, h, Plane(I0, I0 + size_t(w) * h), Plane(I1, I1 + size_t(w) * h), {}, {}, {}});
    for (int s = 1; s < p_.nscales; ++s) {
      const Level& prev = levels_.back();
      const int nw = int(std::lrint(prev.w * p_.scaleStep)), nh = int(std::lrint(prev.h * p_.scaleStep));
      if (nw < 16 || nh < 16) break;  // OpenCV drops this level and the coarser ones
      Level l{nw, nh, Plane(size_t(nw) * nh), Plane(size_t(nw) * nh), {}, {}, {}};
      const double sc = 1.0 / p_.scaleStep;
      resizeLinear(prev.I0.data(), prev.w, prev.h, l.I0.data(), nw, nh, sc, sc);
      resizeLinear(prev.I1.data(), prev.w, prev.h, l.I1.data(), nw, nh, sc, sc);
      levels_.push_back(std::move(l));
    }
    for (Level& l : levels_) {
      const size_t n = size_t(l.w) * l.h;
      l.u1.assign(n, 0.f);
      l.u2.assign(n, 0.f);
      if (gamma_) l.u3.assign(n, 0.f);
    }
  }

  // Row bands: up to 32 per level, independent of the thread count so that the stopping sums (added
  // band by band) and hence the result are the same for any number of threads; a thread that is
  // descheduled has its bands picked up by the others.
  static int bandRows(int h) { return std::max(4, (h + kMaxBands - 1) / kMaxBands); }
  template <typename F>
  void forRows(int h, F&& fn) {
    const int rows = bandRows(h);
    const int bands = (h + rows - 1) / rows;
    pool_.run(bands, [&](int b, int worker) { fn(b * rows, std::min(h, (b + 1) * rows), worker, b); });
  }

  bool procOneScale(Level& L) {
    const int w = L.w, h = L.h;
    const size_t n = size_t(w) * h;
    const float scaledEpsilon = float(p_.epsilon * p_.epsilon * double(n));
    forRows(h, [&](int y0, int y1, int, int) {
      tvl1::centeredGradientRows(L.I1.data(), w, h, I1x_.data(), I1y_.data(), y0, y1);
      tvl1::packPlanesRows(L.I1.data(), I1x_.data(), I1y_.data(), w, pack_.data(), y0, y1);
    });
    std::fill_n(p11_.begin(), n, 0.f);
    std::fill_n(p12_.begin(), n, 0.f);
    std::fill_n(p21_.begin(), n, 0.f);
    std::fill_n(p22_.begin(), n, 0.f);
    if (gamma_) {
      std::fill_n(p31_.begin(), n, 0.f);
      std::fill_n(p32_.begin(), n, 0.f);
    }
    tvl1::Planes s;
    s.w = w;
    s.h = h;
    s.I1wx = I1wx_.data();
    s.I1wy = I1wy_.data();
    s.grad = grad_.data();
    s.rhoc = rhoc_.data();
    s.u1 = L.u1.data();
    s.u2 = L.u2.data();
    s.u3 = gamma_ ? L.u3.data() : nullptr;
    s.p11 = p11_.data();
    s.p12 = p12_.data();
    s.p21 = p21_.data();
    s.p22 = p22_.data();
    s.p31 = gamma_ ? p31_.data() : nullptr;
    s.p32 = gamma_ ? p32_.data() : nullptr;
    tvl1::Coeffs c;
    c.lt = float(p_.lambda * p_.theta);
    c.theta = float(p_.theta);
    c.taut = float(p_.tau / p_.theta);
    c.gamma = float(p_.gamma);

    std::vector<double> bandErr(size_t((h + bandRows(h) - 1) / bandRows(h)));
    for (int warp = 0; warp < p_.warps; ++warp) {
      if (cancelled()) return false;
      forRows(h, [&](int y0, int y1, int, int) {
        tvl1::warpRows(L.I0.data(), pack_.data(), L.u1.data(), L.u2.data(), w, h, I1wx_.data(), I1wy_.data(),
                       grad_.data(), rhoc_.data(), y0, y1);
      });
      float error = FLT_MAX;
      for (int outer = 0; error > scaledEpsilon && outer < p_.outerIterations; ++outer) {
        if (outer > 0 && cancelled()) return false;
        if (p_.medianFiltering > 1) {
          median(L.u1, w, h);
          median(L.u2, w, h);
        }
        for (int inner = 0; error > scaledEpsilon && inner < p_.innerIterations; ++inner) {
          std::fill(bandErr.begin(), bandErr.end(), 0.0);
          forRows(h, [&](int y0, int y1, int worker, int band) {
            bandErr[band] = tvl1::updatePrimalRows(s, c, y0, y1, scratch_[worker].data());
          });
          double sum = 0;
          for (double e : bandErr) sum += e;
          error = float(sum);
          forRows(h, [&](int y0, int y1, int, int) { tvl1::updateDualRows(s, c, y0, y1); });
        }
      }
    }
    return true;
  }

  void median(Plane& u, int w, int h) {
    forRows(h, [&](int y0, int y1, int worker, int) {
      tvl1::medianRows(u.data(), w, h, p_.medianFiltering, tmp_.data(), y0, y1, scratch_[worker].data());
    });
    std::copy_n(tmp_.begin(), size_t(w) * h, u.begin());
  }

  static constexpr int kMaxBands = 32;
  TvL1Params p_;
  const CancelFlag& cancel_;
  TaskPool pool_;
  bool gamma_;
  std::vector<Level> levels_;
  Plane I1x_, I1y_, I1wx_, I1wy_, grad_, rhoc_, p11_, p12_, p21_, p22_, p31_, p32_, tmp_;
  Plane pack_;  // I1, I1x, I1y interleaved for the warp
  std::vector<Plane> scratch_;
};

}  // namespace

bool tvl1FlowCpu(const uint8_t* I0, const uint8_t* I1, int w, int h, const TvL1Params& p, float* u, float* v,
                 const CancelFlag& cancel, int threads) {
  validate(p, w, h);
  Solver solver(p, w, h, threads, cancel);
  return solver.run(I0, I1, w, h, u, v);
}

}  // namespace mellm
