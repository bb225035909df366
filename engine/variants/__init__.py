"""The variant plug-in API: what an ablation compares, and how anyone adds a method to it.

A **variant** is a name, what it needs, and two top-level (picklable) functions:

``prepare(context: VariantContext) -> prepared``
    Runs ONCE per (variant, seed), in the calling process, with catalog access (``context.db_url``).
    FIR/ER/MIXT/FULL train their encoder here, save it under ``context.run_dir / "encoder.pt"`` and
    compute + cache per-frame features of every ME clip. A baseline computes its own features. Return
    plain, picklable data (paths, numbers, dicts, numpy arrays) – it is shipped to every fold, possibly
    on another machine (Ray), so no sessions, open files or models bound to a device.

``run_fold(prepared, spec: FoldSpec) -> FoldResult``
    Trains on ``spec.train_clip_ids`` and predicts ``spec.test_clip_ids`` (the held-out subject). It must
    never look at the test clips' labels for anything but the returned ``truth``: no early stopping, no
    epoch or model selection on them (use ``spec.val_clip_ids``, drawn from TRAINING subjects only).

Register with the decorator on the prepare function::

    @register_variant("lbptop", run_fold=run_lbptop_fold, description="LBP-TOP + SVM")
    def prepare_lbptop(context: VariantContext) -> PreparedFeatures: ...

``datasets`` says which dataset roles a run reads (``me`` always; ``faces`` and ``macro`` for encoder
stages), ``stages`` which encoder stages it trains, in order (``engine.train.stages``).

The package has three modules: ``contract`` (the plain data a variant receives and returns),
``selection`` (how an epoch is chosen, and how a deliberately flawed audit variant is labelled) and
``registry`` (``VARIANTS``, ``register_variant``, ``get_variant``). It sits below ``engine.train`` and
``engine.baselines``, which both add to the registry; ``engine.train``'s package ``__init__`` imports
every module that registers a variant (its encoder variants and ``engine.baselines``), so ``VARIANTS`` is
complete for whoever imported ``engine.train``. ``glimpse train`` / ``glimpse ablation`` and the pages
list ``variant_names()``.
"""
