// The CUDA backend's checks and speed figures as one program, for a GPU machine without Node.js (the
// device machines this project is lent have nvcc and a driver, not Node). It goes through the same
// entry point as the addon (mellm::computeFlowBatch: device choice, batching, out-of-memory halving),
// and compares with the CPU backend in the same run. Built with nvcc for a real device
// (scripts/device-check.sh), or with g++ -DMELLM_GPU_EMULATE, where the kernels run as loops on the CPU
// (test/native/gpu-check.test.ts runs that build with --quick on every machine).
//
// usage: gpu_check PAIRS.txt [--quick | --smoke | --lost-context]
//   PAIRS.txt: one pair per line, "name width height noseX noseY onset.raw apex.raw" (8-bit grey frames,
//   paths relative to the list). Prints one JSON object per line; exit 0 when every check passed, 1 when
//   one failed, 3 when no CUDA device is usable. --quick: the checks only; --smoke: the checks and the
//   speed section with tiny batches (to exercise it in the emulation build); --lost-context: what
//   follows a context-losing failure (emulation build with MELLM_GPU_EMULATE_FAULT=N only).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../src/backend.h"

using mellm::Device;
using mellm::FlowPair;

namespace {

struct Pair {
  std::string name;
  int w = 0, h = 0, noseX = 0, noseY = 0;
  std::vector<uint8_t> onset, apex;
};

struct Result {
  std::vector<float> u, v;
  std::vector<uint8_t> rgb;
  float headU = 0, headV = 0;
};

bool allPassed = true;
bool smoke = false;  // tiny speed section

std::string jsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      o += ' ';
      continue;
    }
    o += c;
  }
  return o;
}

// Prints {"check": name, "pass": ok, <fields>}; a failed check fails the run.
void report(const std::string& check, bool ok, const std::string& fields) {
  std::printf("{\"check\":\"%s\",\"pass\":%s%s%s}\n", jsonEscape(check).c_str(), ok ? "true" : "false", fields.empty() ? "" : ",",
              fields.c_str());
  std::fflush(stdout);
  allPassed = allPassed && ok;
}

void figure(const std::string& metric, double value, const std::string& unit, const std::string& note) {
  std::printf("{\"figure\":\"%s\",\"value\":%.4g,\"unit\":\"%s\",\"note\":\"%s\"}\n", jsonEscape(metric).c_str(), value,
              unit.c_str(), jsonEscape(note).c_str());
  std::fflush(stdout);
}

std::string num(const char* key, double v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "\"%s\":%.6g", key, v);
  return buf;
}

std::vector<uint8_t> readRaw(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::vector<uint8_t> v(n);
  if (!f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n)))
    throw std::runtime_error("cannot read " + std::to_string(n) + " bytes from " + path);
  return v;
}

std::vector<Pair> readPairs(const std::string& list) {
  std::ifstream f(list);
  if (!f) throw std::runtime_error("cannot open " + list);
  std::string dir = list.substr(0, list.find_last_of('/') == std::string::npos ? 0 : list.find_last_of('/') + 1);
  std::vector<Pair> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    Pair p;
    std::string a, b;
    if (!(in >> p.name >> p.w >> p.h >> p.noseX >> p.noseY >> a >> b)) throw std::runtime_error("bad line in " + list + ": " + line);
    auto at = [&dir](const std::string& f) { return f.empty() || f[0] == '/' ? f : dir + f; };
    p.onset = readRaw(at(a), size_t(p.w) * p.h);
    p.apex = readRaw(at(b), size_t(p.w) * p.h);
    out.push_back(std::move(p));
  }
  return out;
}

// A copy of a pair with a constant brightness offset, so no two pairs of a batch are the same bytes.
Pair variant(const Pair& p, int k) {
  Pair q = p;
  int d = (k % 9) - 4;
  for (auto* img : {&q.onset, &q.apex})
    for (auto& x : *img) x = static_cast<uint8_t>(std::min(255, std::max(0, int(x) + d)));
  return q;
}

// Flow and map for `pairs` (all one size) in ONE computeFlowBatch call on `device`.
std::vector<Result> run(Device device, int deviceIndex, const std::vector<Pair>& pairs, bool render, int threads = 0) {
  const int w = pairs[0].w, h = pairs[0].h;
  const size_t n = size_t(w) * h;
  std::vector<Result> res(pairs.size());
  std::vector<FlowPair> fp(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    res[i].u.resize(n);
    res[i].v.resize(n);
    fp[i].I0 = pairs[i].onset.data();
    fp[i].I1 = pairs[i].apex.data();
    fp[i].u = res[i].u.data();
    fp[i].v = res[i].v.data();
    if (render) {
      res[i].rgb.resize(3 * n);
      fp[i].rgb = res[i].rgb.data();
      fp[i].compensate = true;
      fp[i].noseX = pairs[i].noseX;
      fp[i].noseY = pairs[i].noseY;
    }
  }
  mellm::CancelFlag cancel;
  mellm::TvL1Params params;
  if (!mellm::computeFlowBatch(device, deviceIndex, w, h, fp, params, cancel, threads)) throw std::runtime_error("cancelled");
  for (size_t i = 0; i < pairs.size(); ++i) {
    res[i].headU = fp[i].out.headU;
    res[i].headV = fp[i].out.headV;
  }
  return res;
}

double epe(const Result& a, const Result& b) {
  double s = 0;
  for (size_t i = 0; i < a.u.size(); ++i) s += std::hypot(double(a.u[i]) - b.u[i], double(a.v[i]) - b.v[i]);
  return s / double(a.u.size());
}

double identicalPixels(const Result& a, const Result& b) {
  size_t same = 0, n = a.rgb.size() / 3;
  for (size_t i = 0; i < n; ++i)
    same += a.rgb[3 * i] == b.rgb[3 * i] && a.rgb[3 * i + 1] == b.rgb[3 * i + 1] && a.rgb[3 * i + 2] == b.rgb[3 * i + 2];
  return double(same) / double(n);
}

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

double timeRun(Device d, const std::vector<Pair>& pairs, int runs, int threads = 0) {
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    auto s = Clock::now();
    run(d, 0, pairs, true, threads);
    t.push_back(msSince(s));
  }
  return median(t);
}

void correctness(const std::vector<Pair>& pairs) {
  // CUDA against the CPU backend, per fixture: the bounds (mean EPE <= 0.01 px, >= 99.5% of map pixels).
  for (const Pair& p : pairs) {
    Result gpu = run(Device::Cuda, 0, {p}, true)[0];
    Result cpu = run(Device::Cpu, 0, {p}, true)[0];
    double e = epe(gpu, cpu), same = identicalPixels(gpu, cpu);
    report("cuda vs cpu: " + p.name, e <= 0.01 && same >= 0.995,
           num("epe", e) + "," + num("identicalPixels", same) + "," + num("headDu", double(gpu.headU) - cpu.headU) + "," +
               num("headDv", double(gpu.headV) - cpu.headV));
  }
  // One batch against one call per pair: every pair stops on its own, so the results are the same bits.
  std::map<std::string, std::vector<Pair>> bySize;
  for (const Pair& p : pairs) bySize[std::to_string(p.w) + "x" + std::to_string(p.h)].push_back(p);
  for (auto& [size, group] : bySize) {
    std::vector<Pair> batch;
    for (int k = 0; k < 6; ++k) batch.push_back(variant(group[size_t(k) % group.size()], k));
    std::vector<Result> together = run(Device::Cuda, 0, batch, true);
    bool same = true;
    for (size_t i = 0; i < batch.size(); ++i) {
      Result alone = run(Device::Cuda, 0, {batch[i]}, true)[0];
      same = same && alone.u == together[i].u && alone.v == together[i].v && alone.rgb == together[i].rgb;
    }
    report("batch equals one by one: " + size, same, num("pairs", double(batch.size())));
  }
  // A device index that is not there: a clear error, not a crash.
  try {
    run(Device::Cuda, 999, {pairs[0]}, false);
    report("bad device index is an error", false, "\"message\":\"no error\"");
  } catch (const std::exception& e) {
    std::string m = e.what();
    report("bad device index is an error", m.find("CUDA device index 999 is out of range") != std::string::npos,
           "\"message\":\"" + jsonEscape(m) + "\"");
  }
}

void speed(const std::vector<Pair>& pairs) {
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  std::map<std::string, const Pair*> one;
  for (const Pair& p : pairs) one.emplace(std::to_string(p.w) + "x" + std::to_string(p.h), &p);
  for (auto& [size, p] : one) {
    const bool big = p->w * p->h > 200000;
    run(Device::Cuda, 0, {*p}, true);  // warm-up: context, buffers
    double single = timeRun(Device::Cuda, {*p}, smoke ? 1 : 15);
    figure(size + " single-pair latency (flow + map)", single, "ms", "median of 15; goal <= 20 ms at 280x340");
    double best = 0;
    for (int b : smoke ? std::vector<int>{2} : big ? std::vector<int>{32, 64, 128} : std::vector<int>{64, 128, 256, 512}) {
      std::vector<Pair> batch;
      for (int k = 0; k < b; ++k) batch.push_back(variant(*p, k));
      if (!smoke) run(Device::Cuda, 0, batch, true);
      double ms = timeRun(Device::Cuda, batch, smoke ? 1 : 3);
      double rate = b * 1000.0 / ms;
      best = std::max(best, rate);
      figure(size + " batched throughput, batch " + std::to_string(b), rate, "pairs/s", "median of 3; goal >= 1000 at 280x340");
    }
    std::vector<Pair> cpuBatch;
    for (int k = 0; k < (smoke ? 2 : cores); ++k) cpuBatch.push_back(variant(*p, k));
    double cpuRate = double(cpuBatch.size()) * 1000.0 / timeRun(Device::Cpu, cpuBatch, 1);
    figure(size + " CPU backend throughput", cpuRate, "pairs/s", std::to_string(cores) + " pairs, one per core, same run");
    figure(size + " GPU vs CPU backend", best / cpuRate, "x", "best batch against all cores");
  }
  // The GPU side of a DFME-sized job: 7,526 pairs of 280x340 in the dataset job's batches of 256.
  auto it = one.find("280x340");
  if (it == one.end() && smoke) it = one.begin();
  if (it != one.end()) {
    const int total = smoke ? 5 : 7526, per = smoke ? 2 : 256;
    std::vector<Pair> batch;
    for (int k = 0; k < per; ++k) batch.push_back(variant(*it->second, k));
    auto s = Clock::now();
    for (int done = 0; done < total; done += per) {
      std::vector<Pair> part(batch.begin(), batch.begin() + std::min(per, total - done));
      run(Device::Cuda, 0, part, true);
    }
    figure(std::to_string(total) + " pairs of " + it->first + ", flow + map, batches of " + std::to_string(per), msSince(s) / 1000.0,
           "s", "GPU side of a DFME-sized job (no decode, faces or PNG); the whole job's goal is < 60 s");
  }
}

// Only meaningful with an injected fault (MELLM_GPU_EMULATE_FAULT in the emulation build): a failure that
// loses the CUDA context is a clear error, and afterwards 'auto' computes on the CPU and 'cuda' is refused.
void lostContext(const std::vector<Pair>& pairs) {
  try {
    run(Device::Cuda, 0, {pairs[0]}, false);
    report("a lost GPU context is a clear error", false, "\"message\":\"no error\"");
  } catch (const std::exception& e) {
    std::string m = e.what();
    report("a lost GPU context is a clear error",
           m.find("illegal memory access") != std::string::npos && m.find("Restart Extension Host") != std::string::npos,
           "\"message\":\"" + jsonEscape(m) + "\"");
  }
  report("afterwards auto resolves to the CPU", mellm::resolveDevice(Device::Auto, 0) == Device::Cpu, "");
  Result viaAuto = run(Device::Auto, 0, {pairs[0]}, true)[0];
  Result cpu = run(Device::Cpu, 0, {pairs[0]}, true)[0];
  report("afterwards auto still computes (on the CPU)", viaAuto.u == cpu.u && viaAuto.rgb == cpu.rgb, "");
  try {
    mellm::resolveDevice(Device::Cuda, 0);
    report("afterwards cuda is refused with the reason", false, "");
  } catch (const std::exception& e) {
    std::string m = e.what();
    report("afterwards cuda is refused with the reason", m.find("failed earlier in this process") != std::string::npos,
           "\"message\":\"" + jsonEscape(m) + "\"");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PAIRS.txt [--quick]\n", argv[0]);
    return 2;
  }
  const bool quick = argc > 2 && std::string(argv[2]) == "--quick";
  smoke = argc > 2 && std::string(argv[2]) == "--smoke";
  try {
    mellm::BackendInfo info = mellm::backendInfo();
    std::printf("{\"info\":{\"cudaCompiled\":%s,\"cudaDevices\":%d,\"cudaStatus\":\"%s\",\"cpuThreads\":%d}}\n",
                info.cudaCompiled ? "true" : "false", info.cudaDevices, jsonEscape(info.cudaStatus).c_str(), info.cpuThreads);
    if (info.cudaDevices == 0) return 3;
    std::vector<Pair> pairs = readPairs(argv[1]);
    if (pairs.empty()) throw std::runtime_error(std::string("no pairs in ") + argv[1]);
    if (argc > 2 && std::string(argv[2]) == "--lost-context") {
      lostContext(pairs);
      return allPassed ? 0 : 1;
    }
    correctness(pairs);
    if (!quick) speed(pairs);
  } catch (const std::exception& e) {
    std::printf("{\"error\":\"%s\"}\n", jsonEscape(e.what()).c_str());
    return 1;
  }
  return allPassed ? 0 : 1;
}
