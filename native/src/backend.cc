#include "backend.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>

#ifdef MELLM_WITH_CUDA
#include "cuda/gpu_backend.h"
#endif

namespace mellm {

namespace {
int hardwareThreads() {
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}
}  // namespace

BackendInfo backendInfo() {
  BackendInfo info;
  info.cpuThreads = hardwareThreads();
#ifdef MELLM_WITH_CUDA
  info.cudaCompiled = true;
  info.cudaDevices = gpu::countDevices(&info.cudaStatus);
#else
  info.cudaStatus = "this build of the native addon has no CUDA backend (nvcc was not found when it was built)";
#endif
  return info;
}

Device resolveDevice(Device requested, int deviceIndex, const TvL1Params* p) {
  if (requested == Device::Cpu) return Device::Cpu;
#ifdef MELLM_WITH_CUDA
  std::string why;
  int n = gpu::countDevices(&why);
  // Parameters only the CPU backend implements keep 'auto' on the CPU.
  bool gpuCan = p == nullptr || (p->gamma == 0.0 && (p->medianFiltering <= 1 || p->medianFiltering == 3 || p->medianFiltering == 5));
  if (requested == Device::Auto) return n > 0 && gpuCan ? Device::Cuda : Device::Cpu;
  if (n == 0)
    throw std::runtime_error("device 'cuda' was asked for, but no CUDA device is usable (" + why +
                             "): set mellm.device / --device to 'auto' or 'cpu'");
  if (deviceIndex < 0 || deviceIndex >= n)
    throw std::runtime_error("CUDA device index " + std::to_string(deviceIndex) + " is out of range: this machine has " +
                             std::to_string(n) + " device(s), 0 to " + std::to_string(n - 1));
  return Device::Cuda;
#else
  (void)deviceIndex;
  (void)p;
  if (requested == Device::Cuda)
    throw std::runtime_error(
        "device 'cuda' was asked for, but this build of the native addon has no CUDA backend "
        "(rebuild with nvcc on PATH or MELLM_CUDA=1, or set mellm.device / --device to 'auto' or 'cpu')");
  return Device::Cpu;
#endif
}

bool computeFlow(Device device, int deviceIndex, const uint8_t* I0, const uint8_t* I1, int w, int h,
                 const TvL1Params& p, float* u, float* v, const CancelFlag& cancel, int threads) {
  std::vector<FlowPair> one(1);
  one[0].I0 = I0;
  one[0].I1 = I1;
  one[0].u = u;
  one[0].v = v;
  return computeFlowBatch(device, deviceIndex, w, h, one, p, cancel, threads);
}

namespace {
void renderPairCpu(FlowPair& q, int w, int h, int window) {
  if (!q.rgb) return;
  MmcInput in;
  in.grey = q.I0;
  in.u = q.u;
  in.v = q.v;
  in.w = w;
  in.h = h;
  in.compensate = q.compensate;
  in.noseX = q.noseX;
  in.noseY = q.noseY;
  in.window = window;
  q.out.rgb = q.rgb;
  renderMmc(in, q.out);
}
}  // namespace

#ifdef MELLM_WITH_CUDA
namespace {
// Out of device memory: halve the batch and go on, down to one pair (then the error stands).
bool gpuBatchSplittingOnOom(int device, std::vector<gpu::FlowJob>& jobs, size_t from, size_t to, int w, int h,
                            const TvL1Params& p, const CancelFlag& cancel, int window) {
  std::vector<gpu::FlowJob> part(jobs.begin() + from, jobs.begin() + to);
  try {
    if (!gpu::tvl1FlowBatch(device, part, w, h, p, cancel, window)) return false;
    std::copy(part.begin(), part.end(), jobs.begin() + from);
    return true;
  } catch (const gpu::GpuError& e) {
    if (!e.oom || to - from <= 1) throw;
    size_t mid = from + (to - from) / 2;
    return gpuBatchSplittingOnOom(device, jobs, from, mid, w, h, p, cancel, window) &&
           gpuBatchSplittingOnOom(device, jobs, mid, to, w, h, p, cancel, window);
  }
}
}  // namespace
#endif

bool computeFlowBatch(Device device, int deviceIndex, int w, int h, std::vector<FlowPair>& pairs,
                      const TvL1Params& p, const CancelFlag& cancel, int threads, int window) {
  if (pairs.empty()) return true;
  Device d = resolveDevice(device, deviceIndex, &p);
#ifdef MELLM_WITH_CUDA
  if (d == Device::Cuda) {
    std::vector<gpu::FlowJob> jobs(pairs.size());
    for (size_t i = 0; i < pairs.size(); ++i) {
      const FlowPair& q = pairs[i];
      jobs[i].onset = q.I0;
      jobs[i].apex = q.I1;
      jobs[i].u = q.u;
      jobs[i].v = q.v;
      jobs[i].rgb = q.rgb;
      jobs[i].compensate = q.compensate;
      jobs[i].noseX = q.noseX;
      jobs[i].noseY = q.noseY;
    }
    for (size_t from = 0; from < jobs.size(); from += gpu::kMaxBatch) {
      size_t to = std::min(jobs.size(), from + gpu::kMaxBatch);
      if (!gpuBatchSplittingOnOom(deviceIndex, jobs, from, to, w, h, p, cancel, window)) return false;
    }
    for (size_t i = 0; i < pairs.size(); ++i) {
      pairs[i].out.rgb = pairs[i].rgb;
      pairs[i].out.headU = jobs[i].headU;
      pairs[i].out.headV = jobs[i].headV;
      pairs[i].out.magMin = jobs[i].magMin;
      pairs[i].out.magMax = jobs[i].magMax;
      pairs[i].out.emptyWindow = jobs[i].emptyWindow;
    }
    return true;
  }
#else
  (void)d;
#endif
  int hw = threads > 0 ? threads : hardwareThreads();
  if (pairs.size() == 1) {
    if (!tvl1FlowCpu(pairs[0].I0, pairs[0].I1, w, h, p, pairs[0].u, pairs[0].v, cancel, hw)) return false;
    renderPairCpu(pairs[0], w, h, window);
    return true;
  }
  // Several pairs: one pair per thread, each single-threaded (small images scale better this way).
  std::atomic<size_t> next{0};
  std::atomic<bool> cancelled{false};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto worker = [&]() {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= pairs.size() || cancelled.load() || failed.load()) return;
      try {
        if (!tvl1FlowCpu(pairs[i].I0, pairs[i].I1, w, h, p, pairs[i].u, pairs[i].v, cancel, 1)) {
          cancelled.store(true);
          return;
        }
        renderPairCpu(pairs[i], w, h, window);
      } catch (...) {
        if (!failed.exchange(true)) failure = std::current_exception();
      }
    }
  };
  int n = std::min<int>(hw, static_cast<int>(pairs.size()));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  return !cancelled.load();
}

void renderMap(Device device, int deviceIndex, const MmcInput& in, MmcOutput& out) {
  // Rendering is a few milliseconds of per-pixel work; it runs on the CPU whichever device computed
  // the flow (the GPU backend renders its own batches, see src/cuda/mmc_gpu.cu).
  (void)resolveDevice(device == Device::Cuda ? Device::Auto : device, deviceIndex);
  renderMmc(in, out);
}

}  // namespace mellm
