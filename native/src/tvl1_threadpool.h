// A small fork-join pool for the TV-L1 solver. One pool per flow call (so concurrent flows never share
// or wait on each other); the calling thread takes part in every run(). TV-L1 makes thousands of short
// parallel steps per call, so idle workers spin briefly before sleeping on a condition variable.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mellm {

class TaskPool {
 public:
  // threads: total participants including the caller; <= 0 means hardware_concurrency().
  explicit TaskPool(int threads) {
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(1, std::min(threads, 64));
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { workerLoop(i); });
  }
  ~TaskPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_.store(true, std::memory_order_release);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(task, worker) for every task in [0, ntasks); worker in [0, size()) names the thread
  // (for per-thread scratch). Returns when all tasks are done. Not reentrant.
  void run(int ntasks, const std::function<void(int, int)>& fn) {
    if (ntasks <= 0) return;
    if (workers_.empty() || ntasks == 1) {
      for (int t = 0; t < ntasks; ++t) fn(t, 0);
      return;
    }
    job_.store(&fn, std::memory_order_relaxed);
    pending_.store(ntasks, std::memory_order_relaxed);
    // Publishes job_ and pending_; a ticket with index < count can only come from this run.
    ticket_.store(uint64_t(ntasks) << 32, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(mu_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    if (sleepers_.load(std::memory_order_acquire) > 0) cv_.notify_all();
    work(0);
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
      if (spins > 2000) std::this_thread::yield();
    }
  }

 private:
  void work(int worker) {
    for (;;) {
      uint64_t tk = ticket_.fetch_add(1, std::memory_order_acq_rel);
      uint32_t t = uint32_t(tk), n = uint32_t(tk >> 32);
      if (t >= n) break;  // no task left (or a finished run's ticket)
      (*job_.load(std::memory_order_relaxed))(int(t), worker);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  void workerLoop(int worker) {
    // Generation 0 is the pool's creation: a thread that starts late (even after the pool was told to
    // stop) still sees every later generation as new.
    uint64_t seen = 0;
    for (;;) {
      // Spin for a few microseconds first: the next step usually follows at once.
      uint64_t g = seen;
      for (int spins = 0; spins < 4000; ++spins) {
        g = generation_.load(std::memory_order_acquire);
        if (g != seen) break;
        if (spins > 200) std::this_thread::yield();
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        sleepers_.fetch_add(1, std::memory_order_acq_rel);
        cv_.wait(lock, [&] {
          return generation_.load(std::memory_order_acquire) != seen || stop_.load(std::memory_order_acquire);
        });
        sleepers_.fetch_sub(1, std::memory_order_acq_rel);
        g = generation_.load(std::memory_order_acquire);
      }
      seen = g;
      if (stop_.load(std::memory_order_acquire)) return;
      work(worker);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<uint64_t> ticket_{0};  // (task count << 32) | next task index
  std::atomic<int> pending_{0};
  std::atomic<const std::function<void(int, int)>*> job_{nullptr};
  std::atomic<bool> stop_{false};
};

}  // namespace mellm
