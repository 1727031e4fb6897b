# The CUDA backend: compiled when scripts/detect-cuda.js finds nvcc (or MELLM_CUDA=1), left out
# otherwise. The CUDA runtime is linked statically, so the addon loads on machines with no NVIDIA
# driver and reports no CUDA device there.
{
  'variables': {
    'mellm_cuda%': '<!(node ../scripts/detect-cuda.js)',
    'mellm_cuda_home%': '<!(node ../scripts/detect-cuda.js --home)',
  },
  'target_defaults': {
  'conditions': [
    ['mellm_cuda==1', {
      'defines': ['MELLM_WITH_CUDA'],
      'sources': ['src/cuda/tvl1_gpu.cu', 'src/cuda/mmc_gpu.cu'],
      'libraries': ['-L<(mellm_cuda_home)/lib64', '-lcudart_static', '-ldl', '-lrt', '-lpthread'],
      'rules': [
        {
          'rule_name': 'nvcc',
          'extension': 'cu',
          'inputs': ['src/cuda/gpu_compat.h', 'src/cuda/gpu_runtime.h', 'src/cuda/gpu_backend.h', 'src/cuda/mmc_gpu.h', 'src/mmc_pixel.h'],
          'outputs': ['<(INTERMEDIATE_DIR)/<(RULE_INPUT_ROOT).cu.o'],
          # --fmad=false: float operations round one by one, as in the CPU backend and OpenCV.
          'action': [
            '<(mellm_cuda_home)/bin/nvcc', '-c', '<(RULE_INPUT_PATH)', '-o', '<@(_outputs)',
            '-O3', '-std=c++17', '--fmad=false', '-Xcompiler', '-fPIC',
            '-gencode', 'arch=compute_80,code=sm_80',
            '-gencode', 'arch=compute_90,code=sm_90',
            '-gencode', 'arch=compute_90,code=compute_90',
          ],
          'message': 'nvcc <(RULE_INPUT_PATH)',
          'process_outputs_as_sources': 1,
        },
      ],
    }],
  ],
  },
}
