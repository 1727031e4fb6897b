// LLaMA-Factory configurations for MELLM: LoRA SFT of Qwen2.5-VL-7B-Instruct with the paper's
// hyper-parameters (paper IV-B; DESIGN.md section 4), and the LoRA merge that vLLM needs because
// vLLM applies LoRA to the language model only while MELLM's LoRA also covers the vision encoder.
import type { Scalar } from './yaml';

export interface TrainOptions {
  baseModel: string;
  /** Dataset name(s) as registered in dataset_info.json (comma-separated for several). */
  dataset: string;
  /** Folder holding dataset_info.json (the export output). */
  datasetDir: string;
  outputDir: string;
  template: string;
  loraRank: number;
  loraAlpha: number;
  loraDropout: number;
  /** LoRA on the vision encoder too: the vision tower is not frozen. */
  trainVisionTower: boolean;
  learningRate: number;
  lrScheduler: string;
  maxSteps: number;
  warmupRatio: number;
  perDeviceBatchSize: number;
  gradientAccumulation: number;
  bf16: boolean;
  cutoffLen: number;
  imageMaxPixels: number;
  loggingSteps: number;
  saveSteps: number;
  seed: number;
  /** Path to a DeepSpeed JSON config (multi-GPU ZeRO); empty = none. */
  deepspeed: string;
  /** GPUs per node for torchrun (FORCE_TORCHRUN); 1 = single process. */
  gpus: number;
  /** Let transformers run Python code shipped with the model (trust_remote_code). Qwen2.5-VL does not need it. */
  trustRemoteCode: boolean;
  /** Extra keys, written last; each must be a LLaMA-Factory / transformers argument. */
  extra: Record<string, Scalar>;
}

/** The paper's settings: Qwen2.5-VL-7B-Instruct, qwen2_vl template, LoRA r64/a64 on vision + LM, AdamW 1e-4 cosine, 1,200 steps, bf16. */
export const PAPER_TRAIN_DEFAULTS: Readonly<TrainOptions> = Object.freeze({
  baseModel: 'Qwen/Qwen2.5-VL-7B-Instruct',
  dataset: 'mellm_meu',
  datasetDir: 'data',
  outputDir: 'saves/mellm-qwen2_5vl-7b/lora/sft',
  template: 'qwen2_vl',
  loraRank: 64,
  loraAlpha: 64,
  loraDropout: 0,
  trainVisionTower: true,
  learningRate: 1e-4,
  lrScheduler: 'cosine',
  maxSteps: 1200,
  warmupRatio: 0,
  perDeviceBatchSize: 1,
  gradientAccumulation: 8,
  bf16: true,
  cutoffLen: 4096,
  imageMaxPixels: 262144,
  loggingSteps: 10,
  saveSteps: 200,
  seed: 42,
  deepspeed: '',
  gpus: 1,
  trustRemoteCode: false,
  extra: {},
});

export function trainConfig(o: TrainOptions): Record<string, Scalar> {
  const cfg: Record<string, Scalar> = {
    // model
    model_name_or_path: o.baseModel,
    image_max_pixels: o.imageMaxPixels,
    trust_remote_code: o.trustRemoteCode,
    // method
    stage: 'sft',
    do_train: true,
    finetuning_type: 'lora',
    lora_rank: o.loraRank,
    lora_alpha: o.loraAlpha,
    lora_dropout: o.loraDropout,
    lora_target: 'all',
    // LLaMA-Factory leaves the vision tower out of "all" while it is frozen (its default).
    freeze_vision_tower: !o.trainVisionTower,
    freeze_multi_modal_projector: !o.trainVisionTower,
    // dataset
    dataset: o.dataset,
    dataset_dir: o.datasetDir,
    template: o.template,
    cutoff_len: o.cutoffLen,
    preprocessing_num_workers: 8,
    // output
    output_dir: o.outputDir,
    logging_steps: o.loggingSteps,
    save_steps: o.saveSteps,
    plot_loss: true,
    report_to: 'none',
    // train: AdamW (transformers' default optimiser family), the paper's schedule
    per_device_train_batch_size: o.perDeviceBatchSize,
    gradient_accumulation_steps: o.gradientAccumulation,
    optim: 'adamw_torch',
    learning_rate: o.learningRate,
    lr_scheduler_type: o.lrScheduler,
    max_steps: o.maxSteps,
    warmup_ratio: o.warmupRatio,
    bf16: o.bf16,
    seed: o.seed,
    ddp_timeout: 180000000,
  };
  if (o.deepspeed) cfg.deepspeed = o.deepspeed;
  for (const [k, v] of Object.entries(o.extra)) cfg[k] = v;
  return cfg;
}

export interface MergeOptions {
  baseModel: string;
  adapterDir: string;
  exportDir: string;
  template: string;
  /** Shard size in GB. */
  exportSize: number;
  trustRemoteCode?: boolean;
}

/** `llamafactory-cli export` config: folds the LoRA (vision encoder + LM) into full weights for vLLM. */
export function mergeConfig(o: MergeOptions): Record<string, Scalar> {
  return {
    model_name_or_path: o.baseModel,
    adapter_name_or_path: o.adapterDir,
    template: o.template,
    trust_remote_code: o.trustRemoteCode === true,
    export_dir: o.exportDir,
    export_size: o.exportSize,
    export_device: 'cpu',
    export_legacy_format: false,
  };
}

/** Environment for LLaMA-Factory's launcher: torchrun across GPUs when more than one is asked for. */
export function trainEnv(o: Pick<TrainOptions, 'gpus'>): Record<string, string> {
  return o.gpus > 1 ? { FORCE_TORCHRUN: '1', NPROC_PER_NODE: String(o.gpus) } : {};
}
