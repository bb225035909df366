"""The synthetic FACS corpus: parametric faces deformed by action units, written in real dataset layouts.

Public entry points: ``SynthConfig`` (engine.synth.config) and ``generate_corpus`` (engine.synth.write).
Imported lazily by callers so ``import engine`` stays free of OpenCV.
"""
