// N-API entry points. Heavy work runs on libuv's pool via AsyncWorker and resolves a promise, so the
// extension host's JS thread never waits on flow or rendering.
#include <napi.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "backend.h"

namespace {

using mellm::CancelFlag;
using mellm::Device;
using mellm::TvL1Params;

// A JS-visible handle on a CancelFlag shared with the worker that polls it.
class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "CancelToken",
                       {InstanceMethod("cancel", &CancelToken::Cancel),
                        InstanceAccessor("cancelled", &CancelToken::Cancelled, nullptr)});
  }
  explicit CancelToken(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<CancelToken>(info), flag_(std::make_shared<CancelFlag>()) {}
  std::shared_ptr<CancelFlag> flag() const { return flag_; }

 private:
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    flag_->cancelled.store(true);
    return info.Env().Undefined();
  }
  Napi::Value Cancelled(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), flag_->cancelled.load());
  }
  std::shared_ptr<CancelFlag> flag_;
};

Napi::FunctionReference* gCancelCtor = nullptr;

Device parseDevice(const Napi::Object& opts) {
  if (!opts.Has("device")) return Device::Auto;
  std::string d = opts.Get("device").ToString().Utf8Value();
  if (d == "auto") return Device::Auto;
  if (d == "cpu") return Device::Cpu;
  if (d == "cuda") return Device::Cuda;
  throw Napi::TypeError::New(opts.Env(), "device must be 'auto', 'cpu' or 'cuda', got '" + d + "'");
}

int optInt(const Napi::Object& o, const char* key, int dflt) {
  if (!o.Has(key) || o.Get(key).IsUndefined()) return dflt;
  return o.Get(key).ToNumber().Int32Value();
}
double optNum(const Napi::Object& o, const char* key, double dflt) {
  if (!o.Has(key) || o.Get(key).IsUndefined()) return dflt;
  return o.Get(key).ToNumber().DoubleValue();
}

TvL1Params parseParams(const Napi::Object& o) {
  TvL1Params p;
  p.tau = optNum(o, "tau", p.tau);
  p.lambda = optNum(o, "lambda", p.lambda);
  p.theta = optNum(o, "theta", p.theta);
  p.nscales = optInt(o, "nscales", p.nscales);
  p.warps = optInt(o, "warps", p.warps);
  p.epsilon = optNum(o, "epsilon", p.epsilon);
  p.innerIterations = optInt(o, "innerIterations", p.innerIterations);
  p.outerIterations = optInt(o, "outerIterations", p.outerIterations);
  p.scaleStep = optNum(o, "scaleStep", p.scaleStep);
  p.gamma = optNum(o, "gamma", p.gamma);
  p.medianFiltering = optInt(o, "medianFiltering", p.medianFiltering);
  return p;
}

// Copies a typed array of the expected element count; copying keeps the worker independent of GC.
template <typename T, typename Arr>
std::vector<T> copyArray(const Napi::Value& v, size_t n, const char* what) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a typed array");
  Arr a = v.As<Arr>();
  if (a.ElementLength() != n)
    throw Napi::RangeError::New(v.Env(), std::string(what) + " has " + std::to_string(a.ElementLength()) +
                                             " elements, expected " + std::to_string(n));
  return std::vector<T>(a.Data(), a.Data() + n);
}

void checkSize(Napi::Env env, int w, int h) {
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384)
    throw Napi::RangeError::New(env, "image size " + std::to_string(w) + "x" + std::to_string(h) + " is out of range");
}

class RenderWorker : public Napi::AsyncWorker {
 public:
  RenderWorker(Napi::Env env, std::vector<uint8_t> grey, std::vector<float> u, std::vector<float> v, int w, int h,
               bool comp, int nx, int ny, int window, Device dev, int devIndex)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), grey_(std::move(grey)),
        u_(std::move(u)), v_(std::move(v)), rgb_(size_t(w) * h * 3), dev_(dev), devIndex_(devIndex) {
    in_.w = w;
    in_.h = h;
    in_.compensate = comp;
    in_.noseX = nx;
    in_.noseY = ny;
    in_.window = window;
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      in_.grey = grey_.data();
      in_.u = u_.data();
      in_.v = v_.data();
      out_.rgb = rgb_.data();
      mellm::renderMap(dev_, devIndex_, in_, out_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Uint8Array rgb = Napi::Uint8Array::New(env, rgb_.size());
    std::copy(rgb_.begin(), rgb_.end(), rgb.Data());
    Napi::Object out = Napi::Object::New(env);
    out.Set("rgb", rgb);
    Napi::Array head = Napi::Array::New(env, 2);
    head.Set(uint32_t(0), Napi::Number::New(env, out_.headU));
    head.Set(uint32_t(1), Napi::Number::New(env, out_.headV));
    out.Set("head", head);
    out.Set("magMin", Napi::Number::New(env, out_.magMin));
    out.Set("magMax", Napi::Number::New(env, out_.magMax));
    out.Set("emptyWindow", Napi::Boolean::New(env, out_.emptyWindow));
    deferred_.Resolve(out);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<uint8_t> grey_;
  std::vector<float> u_, v_;
  std::vector<uint8_t> rgb_;
  mellm::MmcInput in_;
  mellm::MmcOutput out_;
  Device dev_;
  int devIndex_;
};

// renderMmc(grey, u, v, width, height, opts {nose: [x, y] | null, window, device}) -> Promise<{rgb, head, magMin, magMax, emptyWindow}>
// nose: the truncated nose pixel (int32), anywhere; outside the image the clipped window shrinks or is empty.
Napi::Value RenderMmc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int w = info[3].ToNumber().Int32Value();
  int h = info[4].ToNumber().Int32Value();
  checkSize(env, w, h);
  size_t n = size_t(w) * h;
  auto grey = copyArray<uint8_t, Napi::Uint8Array>(info[0], n, "grey");
  auto u = copyArray<float, Napi::Float32Array>(info[1], n, "u");
  auto v = copyArray<float, Napi::Float32Array>(info[2], n, "v");
  Napi::Object opts = info[5].IsObject() ? info[5].As<Napi::Object>() : Napi::Object::New(env);
  bool comp = false;
  int nx = 0, ny = 0;
  if (opts.Has("nose") && opts.Get("nose").IsArray()) {
    Napi::Array nose = opts.Get("nose").As<Napi::Array>();
    comp = true;
    nx = nose.Get(uint32_t(0)).ToNumber().Int32Value();
    ny = nose.Get(uint32_t(1)).ToNumber().Int32Value();
  }
  int window = optInt(opts, "window", 11);
  if (window < 1 || window % 2 == 0) throw Napi::RangeError::New(env, "window must be a positive odd number");
  Device dev = parseDevice(opts);
  int devIndex = optInt(opts, "deviceIndex", 0);
  auto* worker = new RenderWorker(env, std::move(grey), std::move(u), std::move(v), w, h, comp, nx, ny, window, dev,
                                  devIndex);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}


// One pair of a batch call: inputs copied from JS, outputs filled by the worker.
struct BatchItem {
  std::vector<uint8_t> onset, apex;
  bool render = false;
  bool compensate = false;
  int noseX = 0, noseY = 0;
  std::vector<float> u, v;
  std::vector<uint8_t> rgb;
  mellm::MmcOutput out;
};

class BatchWorker : public Napi::AsyncWorker {
 public:
  BatchWorker(Napi::Env env, std::vector<BatchItem> items, int w, int h, TvL1Params p, Device dev, int devIndex,
              int threads, int window, std::shared_ptr<CancelFlag> cancel)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), items_(std::move(items)), w_(w), h_(h),
        p_(p), dev_(dev), devIndex_(devIndex), threads_(threads), window_(window), cancel_(std::move(cancel)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      size_t n = size_t(w_) * h_;
      std::vector<mellm::FlowPair> pairs(items_.size());
      for (size_t i = 0; i < items_.size(); ++i) {
        auto& it = items_[i];
        it.u.resize(n);
        it.v.resize(n);
        if (it.render) it.rgb.resize(n * 3);
        pairs[i].I0 = it.onset.data();
        pairs[i].I1 = it.apex.data();
        pairs[i].u = it.u.data();
        pairs[i].v = it.v.data();
        pairs[i].rgb = it.render ? it.rgb.data() : nullptr;
        pairs[i].compensate = it.compensate;
        pairs[i].noseX = it.noseX;
        pairs[i].noseY = it.noseY;
      }
      if (!mellm::computeFlowBatch(dev_, devIndex_, w_, h_, pairs, p_, *cancel_, threads_, window_)) {
        cancelled_ = true;
        return;
      }
      for (size_t i = 0; i < items_.size(); ++i) items_[i].out = pairs[i].out;
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (cancelled_) {
      Napi::Error err = Napi::Error::New(env, "optical flow cancelled");
      err.Set("code", Napi::String::New(env, "ECANCELLED"));
      deferred_.Reject(err.Value());
      return;
    }
    Napi::Array results = Napi::Array::New(env, items_.size());
    for (size_t i = 0; i < items_.size(); ++i) {
      auto& it = items_[i];
      Napi::Object o = Napi::Object::New(env);
      Napi::Float32Array u = Napi::Float32Array::New(env, it.u.size());
      Napi::Float32Array v = Napi::Float32Array::New(env, it.v.size());
      std::copy(it.u.begin(), it.u.end(), u.Data());
      std::copy(it.v.begin(), it.v.end(), v.Data());
      o.Set("u", u);
      o.Set("v", v);
      if (it.render) {
        Napi::Uint8Array rgb = Napi::Uint8Array::New(env, it.rgb.size());
        std::copy(it.rgb.begin(), it.rgb.end(), rgb.Data());
        o.Set("rgb", rgb);
        Napi::Array head = Napi::Array::New(env, 2);
        head.Set(uint32_t(0), Napi::Number::New(env, it.out.headU));
        head.Set(uint32_t(1), Napi::Number::New(env, it.out.headV));
        o.Set("head", head);
        o.Set("magMin", Napi::Number::New(env, it.out.magMin));
        o.Set("magMax", Napi::Number::New(env, it.out.magMax));
        o.Set("emptyWindow", Napi::Boolean::New(env, it.out.emptyWindow));
      }
      results.Set(uint32_t(i), o);
    }
    deferred_.Resolve(results);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<BatchItem> items_;
  int w_, h_;
  TvL1Params p_;
  Device dev_;
  int devIndex_, threads_, window_;
  std::shared_ptr<CancelFlag> cancel_;
  bool cancelled_ = false;
};

// batch(pairs [{onset, apex, render?, nose?: [x, y] | null}], width, height, params, opts, cancelToken?)
//   -> Promise<[{u, v, rgb?, head?, magMin?, magMax?}]>; all pairs share one size.
Napi::Value Batch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "pairs must be an array");
  int w = info[1].ToNumber().Int32Value();
  int h = info[2].ToNumber().Int32Value();
  checkSize(env, w, h);
  size_t n = size_t(w) * h;
  Napi::Array arr = info[0].As<Napi::Array>();
  std::vector<BatchItem> items(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Object o = arr.Get(i).As<Napi::Object>();
    items[i].onset = copyArray<uint8_t, Napi::Uint8Array>(o.Get("onset"), n, "onset");
    items[i].apex = copyArray<uint8_t, Napi::Uint8Array>(o.Get("apex"), n, "apex");
    items[i].render = o.Has("render") && o.Get("render").ToBoolean().Value();
    if (o.Has("nose") && o.Get("nose").IsArray()) {
      Napi::Array nose = o.Get("nose").As<Napi::Array>();
      items[i].compensate = true;
      items[i].noseX = nose.Get(uint32_t(0)).ToNumber().Int32Value();
      items[i].noseY = nose.Get(uint32_t(1)).ToNumber().Int32Value();
    }
  }
  TvL1Params p = info[3].IsObject() ? parseParams(info[3].As<Napi::Object>()) : TvL1Params{};
  Napi::Object opts = info[4].IsObject() ? info[4].As<Napi::Object>() : Napi::Object::New(env);
  Device dev = parseDevice(opts);
  int devIndex = optInt(opts, "deviceIndex", 0);
  int threads = optInt(opts, "threads", 0);
  int window = optInt(opts, "window", 11);
  if (window < 1 || window % 2 == 0) throw Napi::RangeError::New(env, "window must be a positive odd number");
  std::shared_ptr<CancelFlag> cancel = (info.Length() > 5 && info[5].IsObject())
                                           ? CancelToken::Unwrap(info[5].As<Napi::Object>())->flag()
                                           : std::make_shared<CancelFlag>();
  auto* worker = new BatchWorker(env, std::move(items), w, h, p, dev, devIndex, threads, window, cancel);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  mellm::BackendInfo b = mellm::backendInfo();
  Napi::Object o = Napi::Object::New(env);
  o.Set("cudaCompiled", Napi::Boolean::New(env, b.cudaCompiled));
  o.Set("cudaDevices", Napi::Number::New(env, b.cudaDevices));
  o.Set("cudaStatus", Napi::String::New(env, b.cudaStatus));
  o.Set("cpuThreads", Napi::Number::New(env, b.cpuThreads));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = CancelToken::Init(env);
  gCancelCtor = new Napi::FunctionReference(Napi::Persistent(ctor));
  env.SetInstanceData(gCancelCtor);
  exports.Set("CancelToken", ctor);
  exports.Set("renderMmc", Napi::Function::New(env, RenderMmc));
  exports.Set("batch", Napi::Function::New(env, Batch));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace

NODE_API_MODULE(mellm_native, Init)
