// Device memory, streams and error handling for the GPU backend, with a CPU emulation of the same
// calls (MELLM_GPU_EMULATE) so the GPU code path is testable where no GPU exists.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

#include "gpu_backend.h"
#include "gpu_compat.h"

namespace mellm {
namespace gpu {

// After some failures (an illegal address, a kernel fault, an uncorrectable ECC error) the CUDA context is
// unusable for the rest of the process. The first such failure is remembered: from then on no device is
// reported (so 'auto' uses the CPU) and 'cuda' is refused with this reason.
inline std::mutex& lostMutex() {
  static std::mutex m;
  return m;
}
inline std::string& lostReasonRef() {
  static std::string r;
  return r;
}
inline std::string lostReason() {
  std::lock_guard<std::mutex> g(lostMutex());
  return lostReasonRef();
}
// deviceCount's reason once the context is lost ("" while it is not).
inline std::string lostDeviceWhy() {
  std::string lost = lostReason();
  return lost.empty() ? "" : "the GPU failed earlier in this process (" + lost + "): restart the process to use it again";
}
constexpr const char* kLostAdvice =
    "the GPU cannot be used again by this process: restart it (in VS Code: Developer: Restart Extension Host); "
    "until then device 'auto' uses the CPU";
[[noreturn]] inline void failLost(const std::string& what) {
  {
    std::lock_guard<std::mutex> g(lostMutex());
    if (lostReasonRef().empty()) lostReasonRef() = what;
  }
  throw GpuError(what + "; " + kLostAdvice);
}

#ifdef MELLM_GPU_EMULATE
inline void check(int, const char*) {}
inline void* devAlloc(size_t bytes, const char*) {
  void* p = std::calloc(1, bytes ? bytes : 1);
  if (!p) throw GpuError("out of (emulated) device memory", true);
  return p;
}
inline void devFree(void* p) { std::free(p); }
inline void* hostAllocPinned(size_t bytes) { return devAlloc(bytes, "pinned"); }
inline void hostFreePinned(void* p) { std::free(p); }
inline void copyH2D(void* d, const void* s, size_t n, cudaStream_t) { std::memcpy(d, s, n); }
inline void copyD2H(void* d, const void* s, size_t n, cudaStream_t) { std::memcpy(d, s, n); }
inline void copyD2D(void* d, const void* s, size_t n, cudaStream_t) { std::memcpy(d, s, n); }
inline void memsetAsync(void* d, int v, size_t n, cudaStream_t) { std::memset(d, v, n); }
inline cudaStream_t createStream() { return 0; }
inline void destroyStream(cudaStream_t) {}
// MELLM_GPU_EMULATE_FAULT=N: the Nth synchronisation fails as a kernel fault would (tests of the lost-context path).
inline void syncStream(cudaStream_t) {
  static const long faultAt = std::getenv("MELLM_GPU_EMULATE_FAULT") ? std::atol(std::getenv("MELLM_GPU_EMULATE_FAULT")) : 0;
  static std::atomic<long> syncs{0};
  if (faultAt > 0 && ++syncs == faultAt) failLost("CUDA kernel execution failed: an illegal memory access was encountered (emulated)");
}
inline void checkLaunch(const char*) {}
inline int deviceCount(std::string* why) {
  std::string lost = lostDeviceWhy();
  if (why) *why = lost;
  return lost.empty() ? 1 : 0;
}
inline void setDevice(int) {}
#else
inline bool losesContext(cudaError_t e) {
  switch (e) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorAssert:
    case cudaErrorLaunchTimeout:
    case cudaErrorECCUncorrectable:
      return true;
    default:
      return false;
  }
}
inline void check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return;
  if (losesContext(e)) failLost(std::string("CUDA ") + what + " failed: " + cudaGetErrorString(e));
  bool oom = e == cudaErrorMemoryAllocation;
  cudaGetLastError();  // clear a sticky-free error so the next call starts clean
  throw GpuError(std::string("CUDA ") + what + " failed: " + cudaGetErrorString(e) +
                     (oom ? " (out of GPU memory: process fewer pairs at once or use a smaller image size)" : ""),
                 oom);
}
inline void* devAlloc(size_t bytes, const char* what) {
  void* p = nullptr;
  check(cudaMalloc(&p, bytes ? bytes : 1), what);
  return p;
}
inline void devFree(void* p) {
  if (p) cudaFree(p);
}
inline void* hostAllocPinned(size_t bytes) {
  void* p = nullptr;
  check(cudaMallocHost(&p, bytes ? bytes : 1), "pinned host allocation");
  return p;
}
inline void hostFreePinned(void* p) {
  if (p) cudaFreeHost(p);
}
inline void copyH2D(void* d, const void* s, size_t n, cudaStream_t st) { check(cudaMemcpyAsync(d, s, n, cudaMemcpyHostToDevice, st), "upload"); }
inline void copyD2H(void* d, const void* s, size_t n, cudaStream_t st) { check(cudaMemcpyAsync(d, s, n, cudaMemcpyDeviceToHost, st), "download"); }
inline void copyD2D(void* d, const void* s, size_t n, cudaStream_t st) { check(cudaMemcpyAsync(d, s, n, cudaMemcpyDeviceToDevice, st), "device copy"); }
inline void memsetAsync(void* d, int v, size_t n, cudaStream_t st) { check(cudaMemsetAsync(d, v, n, st), "memset"); }
inline cudaStream_t createStream() {
  cudaStream_t s;
  check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "stream creation");
  return s;
}
inline void destroyStream(cudaStream_t s) { cudaStreamDestroy(s); }
inline void syncStream(cudaStream_t s) { check(cudaStreamSynchronize(s), "kernel execution"); }
inline void checkLaunch(const char* what) { check(cudaGetLastError(), what); }
inline std::string cudaVersionText(int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); }

/** Number of usable devices; 0 with the reason, in the user's terms, when there is none. */
inline int deviceCount(std::string* why) {
  if (std::string lost = lostDeviceWhy(); !lost.empty()) {
    if (why) *why = lost;
    return 0;
  }
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    if (why) {
      // cudaErrorInsufficientDriver covers both "no driver at all" and "driver older than this runtime":
      // the driver's own version tells them apart, and each has a different fix.
      int driver = 0, runtime = 0;
      cudaDriverGetVersion(&driver);
      cudaRuntimeGetVersion(&runtime);
      if (e == cudaErrorInsufficientDriver && driver == 0)
        *why = "no NVIDIA driver is installed on this machine (libcuda.so.1 was not found)";
      else if (e == cudaErrorInsufficientDriver)
        *why = "the NVIDIA driver supports CUDA up to " + cudaVersionText(driver) + " but this addon was built with CUDA " +
               cudaVersionText(runtime) + ": update the driver, or rebuild the addon with a matching toolkit " +
               "(CUDA_HOME=/usr/local/cuda-" + cudaVersionText(driver) + " npm rebuild)";
      else
        *why = cudaGetErrorString(e);
    }
    cudaGetLastError();
    return 0;
  }
  if (why) *why = n == 0 ? "no CUDA device found" : "";
  return n;
}
inline void setDevice(int d) { check(cudaSetDevice(d), "device selection"); }
#endif

/** RAII device buffer. */
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { devFree(ptr_); }
  void ensure(size_t count, const char* what) {
    if (count <= cap_) return;
    devFree(ptr_);
    ptr_ = nullptr;
    cap_ = 0;
    ptr_ = static_cast<T*>(devAlloc(count * sizeof(T), what));
    cap_ = count;
  }
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
  size_t cap_ = 0;
};

/** RAII pinned host buffer (page-locked so uploads and downloads run asynchronously). */
template <typename T>
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() { hostFreePinned(ptr_); }
  void ensure(size_t count) {
    if (count <= cap_) return;
    hostFreePinned(ptr_);
    ptr_ = nullptr;
    cap_ = 0;
    ptr_ = static_cast<T*>(hostAllocPinned(count * sizeof(T)));
    cap_ = count;
  }
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
  size_t cap_ = 0;
};

}  // namespace gpu
}  // namespace mellm
