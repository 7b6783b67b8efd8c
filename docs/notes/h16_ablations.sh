#!/bin/bash
# ablation adapters, 4 min each, same defaults otherwise (commit in TRAINING.md)
cd /work/wt-h16
A=/work/runs/h16/abl
M=4
run() { name=$1; shift; [ -f $A/$name/adapter.safetensors ] || nice -n 10 limner adapter train --out $A/$name --minutes $M -q "$@"; }
run full
run no_denoise_grad --no-denoise-grad
run no_llm --llm none
run paper_wiring --no-llm-input
run frozen_projection --no-learned-projection
run align_only --w-denoise 0 --w-distill 0
run distill_only --w-denoise 0 --w-align 0
run align+distill --w-denoise 0
echo done
