"""Face preprocessing: detect, align (eyes level), crop, track, resample in time, optical flow, cache.

Public API (import from the modules; this package imports nothing so `config` stays cheap to import):
``config.PreprocessConfig`` · ``cache.clip_crops`` / ``image_crop`` / ``preprocess_dataset`` ·
``detect.available_backends`` · ``temporal.sample_indices`` / ``resample`` · ``flow.onset_apex_flow`` /
``clip_flow``.
"""
