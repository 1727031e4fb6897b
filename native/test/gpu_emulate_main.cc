// Runs the GPU backend's TV-L1 in CPU emulation (MELLM_GPU_EMULATE) on raw 8-bit frames, so the GPU
// algorithm can be compared with the CPU backend on a machine without a GPU.
// usage: gpu_emulate W H BATCH onset0.raw apex0.raw [onset1.raw apex1.raw ...] OUT_PREFIX [NOSE_X NOSE_Y]
// writes OUT_PREFIX<i>.u / .v (float32, W*H each) per pair, and with a nose point also the MMC-Map
// rendered on the (emulated) device, OUT_PREFIX<i>.rgb (W*H*3), and OUT_PREFIX<i>.head (2 float32).
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
  bool render = argc > 6 + 2 * batch;
  std::vector<std::vector<uint8_t>> rgbs(batch, std::vector<uint8_t>(render ? n * 3 : 0));
  std::vector<std::vector<float>> us(batch, std::vector<float>(n)), vs(batch, std::vector<float>(n));
  std::vector<mellm::gpu::FlowJob> jobs(batch);
  for (int b = 0; b < batch; ++b) {
    jobs[b].onset = frames[2 * b].data();
    jobs[b].apex = frames[2 * b + 1].data();
    jobs[b].u = us[b].data();
    jobs[b].v = vs[b].data();
    if (render) {
      jobs[b].rgb = rgbs[b].data();
      jobs[b].compensate = true;
      jobs[b].noseX = std::atoi(argv[5 + 2 * batch]);
      jobs[b].noseY = std::atoi(argv[6 + 2 * batch]);
    }
  }
  mellm::TvL1Params p;
  mellm::CancelFlag cancel;
  mellm::gpu::tvl1FlowBatch(0, jobs, w, h, p, cancel);
  for (int b = 0; b < batch; ++b) {
    std::ofstream(prefix + std::to_string(b) + ".u", std::ios::binary).write(reinterpret_cast<char*>(us[b].data()), n * 4);
    std::ofstream(prefix + std::to_string(b) + ".v", std::ios::binary).write(reinterpret_cast<char*>(vs[b].data()), n * 4);
    if (render) {
      std::ofstream(prefix + std::to_string(b) + ".rgb", std::ios::binary).write(reinterpret_cast<char*>(rgbs[b].data()), n * 3);
      float head[2] = {jobs[b].headU, jobs[b].headV};
      std::ofstream(prefix + std::to_string(b) + ".head", std::ios::binary).write(reinterpret_cast<char*>(head), 8);
    }
  }
  return 0;
}
