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
#define MELLM_LAUNCH(kernel, grid, block, stream, ...)                                   \
  do {                                                                                   \
    (void)(stream);                                                                      \
    gpu_emu::gridDim = (grid);                                                           \
    gpu_emu::blockDim = (block);                                                         \
    for (unsigned bz = 0; bz < gpu_emu::gridDim.z; ++bz)                                 \
      for (unsigned by = 0; by < gpu_emu::gridDim.y; ++by)                               \
        for (unsigned bx = 0; bx < gpu_emu::gridDim.x; ++bx)                             \
          for (unsigned tz = 0; tz < gpu_emu::blockDim.z; ++tz)                          \
            for (unsigned ty = 0; ty < gpu_emu::blockDim.y; ++ty)                        \
              for (unsigned tx = 0; tx < gpu_emu::blockDim.x; ++tx) {                    \
                gpu_emu::blockIdx = dim3(bx, by, bz);                                    \
                gpu_emu::threadIdx = dim3(tx, ty, tz);                                   \
                kernel(__VA_ARGS__);                                                     \
              }                                                                          \
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
