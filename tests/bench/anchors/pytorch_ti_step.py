"""PyTorch + diffusers anchor for `npm run gpu:check`: the textual-inversion step's heaviest part at real size.

SD 1.5 / SD 2.1 UNet (diffusers configs, random weights), batch 1, forward + backward with respect to the text
states (what textual inversion back-propagates through), in float32 and float16, on the first CUDA device.
Prints one JSON object: per run the median and fastest step (s) after warm-up, and torch's peak allocated and
reserved memory (GB). Arguments: model:pixels pairs, e.g. `sd15:512 sd21:768`.
"""
import json
import sys
import time

import torch
from diffusers import UNet2DConditionModel

CONFIGS = {
    "sd15": dict(cross_attention_dim=768, attention_head_dim=8),
    "sd21": dict(cross_attention_dim=1024, attention_head_dim=[5, 10, 20, 20], use_linear_projection=True),
}


def measure(model, pixels, dtype, steps=10, warmup=3):
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    config = CONFIGS[model]
    with torch.device("cuda"):
        unet = UNet2DConditionModel(sample_size=pixels // 8, **config).to(dtype=dtype)
    unet.requires_grad_(False)
    generator = torch.Generator(device="cuda").manual_seed(0)
    shape = (1, 4, pixels // 8, pixels // 8)
    latents = torch.randn(shape, device="cuda", dtype=dtype, generator=generator)
    target = torch.randn(shape, device="cuda", dtype=dtype, generator=generator)
    states = torch.randn((1, 77, config["cross_attention_dim"]), device="cuda", dtype=dtype, generator=generator)
    timestep = torch.tensor([500], device="cuda")
    seconds = []
    for i in range(warmup + steps):
        text = states.clone().requires_grad_(True)
        torch.cuda.synchronize()
        start = time.perf_counter()
        prediction = unet(latents, timestep, encoder_hidden_states=text).sample
        torch.nn.functional.mse_loss(prediction.float(), target.float()).backward()
        torch.cuda.synchronize()
        if i >= warmup:
            seconds.append(time.perf_counter() - start)
    seconds.sort()
    result = dict(
        model=model,
        pixels=pixels,
        dtype=str(dtype).removeprefix("torch."),
        stepMedianSeconds=round(seconds[len(seconds) // 2], 4),
        stepMinSeconds=round(seconds[0], 4),
        peakAllocatedGB=round(torch.cuda.max_memory_allocated() / 1e9, 3),
        peakReservedGB=round(torch.cuda.max_memory_reserved() / 1e9, 3),
        steps=steps,
    )
    del unet
    torch.cuda.empty_cache()
    return result


def main():
    runs = []
    for pair in sys.argv[1:]:
        model, pixels = pair.split(":")
        if model not in CONFIGS:
            sys.exit(f'unknown model "{model}"; expected one of {", ".join(CONFIGS)}')
        for dtype in (torch.float32, torch.float16):
            runs.append(measure(model, int(pixels), dtype))
    import diffusers

    print(json.dumps(dict(torch=torch.__version__, diffusers=diffusers.__version__,
                          device=torch.cuda.get_device_name(0), runs=runs), indent=2))


if __name__ == "__main__":
    main()
