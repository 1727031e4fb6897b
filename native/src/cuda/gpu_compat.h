// Lets the CUDA backend's .cu sources also compile as plain C++ (MELLM_GPU_EMULATE): kernels then run
// as loops over the grid on the CPU. That is how the GPU algorithm is checked against the CPU backend
// on machines without a GPU. Kernels must not use shared memory or __syncthreads (they don't).
#pragma once

#ifdef MELLM_GPU_EMULATE
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
namespace gpu_emu {
inline thread_local dim3 blockIdx, threadIdx, blockDim, gridDim;
}
using gpu_emu::blockDim;
using gpu_emu::blockIdx;
using gpu_emu::gridDim;
using gpu_emu::threadIdx;

#define MELLM_KERNEL static void
#define MELLM_DEVICE static inline
namespace gpu_emu {
// MELLM_GPU_EMULATE_ORDER=reverse runs blocks and threads last to first. A kernel whose result
// depends on the order (a thread reading what another thread of the same launch writes) then
// gives a different answer, which the tests look for: on a GPU that order is undefined.
inline bool reverseOrder() {
  static const bool rev = [] {
    const char* e = std::getenv("MELLM_GPU_EMULATE_ORDER");
    return e != nullptr && std::strcmp(e, "reverse") == 0;
  }();
  return rev;
}
inline unsigned nth(unsigned i, unsigned n, bool rev) { return rev ? n - 1 - i : i; }
}  // namespace gpu_emu
#define MELLM_LAUNCH(kernel, grid, block, stream, ...)                                                   \
  do {                                                                                                   \
    (void)(stream);                                                                                      \
    gpu_emu::gridDim = (grid);                                                                           \
    gpu_emu::blockDim = (block);                                                                         \
    const dim3 g_ = gpu_emu::gridDim, b_ = gpu_emu::blockDim;                                            \
    const bool r_ = gpu_emu::reverseOrder();                                                             \
    for (unsigned bz = 0; bz < g_.z; ++bz)                                                               \
      for (unsigned by = 0; by < g_.y; ++by)                                                             \
        for (unsigned bx = 0; bx < g_.x; ++bx)                                                           \
          for (unsigned tz = 0; tz < b_.z; ++tz)                                                         \
            for (unsigned ty = 0; ty < b_.y; ++ty)                                                       \
              for (unsigned tx = 0; tx < b_.x; ++tx) {                                                   \
                gpu_emu::blockIdx = dim3(gpu_emu::nth(bx, g_.x, r_), gpu_emu::nth(by, g_.y, r_),         \
                                         gpu_emu::nth(bz, g_.z, r_));                                    \
                gpu_emu::threadIdx = dim3(gpu_emu::nth(tx, b_.x, r_), gpu_emu::nth(ty, b_.y, r_),        \
                                          gpu_emu::nth(tz, b_.z, r_));                                   \
                kernel(__VA_ARGS__);                                                                     \
              }                                                                                          \
  } while (0)

typedef int cudaStream_t;
MELLM_DEVICE void gpuAtomicAddDouble(double* dst, double v) { *dst += v; }
MELLM_DEVICE void gpuAtomicMaxFloatNonNeg(float* dst, float v) { if (v > *dst) *dst = v; }
MELLM_DEVICE void gpuAtomicMinFloatNonNeg(float* dst, float v) { if (v < *dst) *dst = v; }
MELLM_DEVICE void gpuAtomicAddFloat(float* dst, float v) { *dst += v; }
// Warp reductions: in emulation every thread adds its own value.
MELLM_DEVICE void warpReduceAddToDouble(double* dst, double v) { *dst += v; }

#else  // real CUDA
#include <cuda_runtime.h>
#define MELLM_KERNEL __global__ void
#define MELLM_DEVICE __device__ static inline
#define MELLM_LAUNCH(kernel, grid, block, stream, ...) kernel<<<(grid), (block), 0, (stream)>>>(__VA_ARGS__)

MELLM_DEVICE void gpuAtomicAddDouble(double* dst, double v) { atomicAdd(dst, v); }
MELLM_DEVICE void gpuAtomicAddFloat(float* dst, float v) { atomicAdd(dst, v); }
// For non-negative floats the IEEE bit patterns order like integers.
MELLM_DEVICE void gpuAtomicMaxFloatNonNeg(float* dst, float v) { atomicMax(reinterpret_cast<int*>(dst), __float_as_int(v)); }
MELLM_DEVICE void gpuAtomicMinFloatNonNeg(float* dst, float v) { atomicMin(reinterpret_cast<int*>(dst), __float_as_int(v)); }
// Sum over a full warp, one atomic per warp. Every lane must call it (out-of-range threads pass 0).
MELLM_DEVICE void warpReduceAddToDouble(double* dst, double v) {
  for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
  if (((threadIdx.x + threadIdx.y * blockDim.x) & 31) == 0) atomicAdd(dst, v);
}
#endif
