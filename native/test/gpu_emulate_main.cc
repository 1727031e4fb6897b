// Runs the GPU backend's TV-L1 in CPU emulation (MELLM_GPU_EMULATE) on raw 8-bit frames, so the GPU
// algorithm can be compared with the CPU backend on a machine without a GPU.
// usage: gpu_emulate W H BATCH onset0.raw apex0.raw [onset1.raw apex1.raw ...] OUT_PREFIX
// writes OUT_PREFIX<i>.u / .v (float32, W*H each) per pair.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "../src/cuda/gpu_backend.h"

static std::vector<uint8_t> readRaw(const char* path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::vector<uint8_t> v(n);
  if (!f.read(reinterpret_cast<char*>(v.data()), n)) {
    std::fprintf(stderr, "cannot read %zu bytes from %s\n", n, path);
    std::exit(2);
  }
  return v;
}

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s W H BATCH onset apex [...] OUT_PREFIX\n", argv[0]);
    return 2;
  }
  int w = std::atoi(argv[1]), h = std::atoi(argv[2]), batch = std::atoi(argv[3]);
  size_t n = size_t(w) * h;
  std::vector<std::vector<uint8_t>> frames;
  for (int i = 0; i < 2 * batch; ++i) frames.push_back(readRaw(argv[4 + i], n));
  std::string prefix = argv[4 + 2 * batch];
  std::vector<std::vector<float>> us(batch, std::vector<float>(n)), vs(batch, std::vector<float>(n));
  std::vector<mellm::gpu::FlowJob> jobs(batch);
  for (int b = 0; b < batch; ++b) jobs[b] = {frames[2 * b].data(), frames[2 * b + 1].data(), us[b].data(), vs[b].data()};
  mellm::TvL1Params p;
  mellm::CancelFlag cancel;
  mellm::gpu::tvl1FlowBatch(0, jobs, w, h, p, cancel);
  for (int b = 0; b < batch; ++b) {
    std::ofstream(prefix + std::to_string(b) + ".u", std::ios::binary).write(reinterpret_cast<char*>(us[b].data()), n * 4);
    std::ofstream(prefix + std::to_string(b) + ".v", std::ios::binary).write(reinterpret_cast<char*>(vs[b].data()), n * 4);
  }
  return 0;
}
