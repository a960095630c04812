"""The synthetic model hubs: vendor models of the catalogue's model organisations, derivative trees several
levels deep, owners (users and organisations) on both hubs, and copies of a vendor model on the other hub
under another name. Plain data, deterministic from (seed, scale, catalogue); the hub API modules
(`huggingface_api.py`, `modelscope_api.py`) only read it, and `truth.py` writes `models.csv` from it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from oss_miner.config import Catalogue

UTC = timezone.utc
RELATIONS = ("finetune", "adapter", "quantized", "merge")
FIRST_DAY = datetime(2023, 6, 1, tzinfo=UTC)
OWNER_WORDS = ("llm", "ai", "lab", "nlp", "mind", "tune", "forge", "works", "bits", "quant")


@dataclass
class HubModel:
    platform: str  # the hub instance NAME
    model_id: str
    key: str
    owner: str
    owner_type: str  # User | Organization
    created_at: datetime
    last_modified: datetime
    downloads_30d: int
    downloads_all_time: int
    likes: int
    library: str
    pipeline_tag: str
    license: str
    gated: str  # no | auto | manual
    relation: str | None
    bases: list[str] = field(default_factory=list)  # declared base ids (a former id as written)
    framework: str | None = None  # the framework whose tree holds it (the first, for a merge of two)
    frameworks: list[str] = field(default_factory=list)  # every framework whose tree holds it
    role: str = "derivative"  # vendor | derivative


@dataclass
class HubWorld:
    models: dict[tuple[str, str], HubModel] = field(default_factory=dict)
    orgs: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (platform, org) -> vendor model ids
    owner_types: dict[tuple[str, str], str] = field(default_factory=dict)  # (platform, owner) -> type
    aliases: dict[tuple[str, str], str] = field(default_factory=dict)  # (platform, former org) -> current org

    def children(self, platform: str, base: str) -> list[HubModel]:
        """The models declaring `base` (exactly as written), newest created first."""
        found = [m for m in self.models.values() if m.platform == platform and base in m.bases]
        return sorted(found, key=lambda m: (m.created_at, m.model_id), reverse=True)

    def of_org(self, platform: str, org: str) -> list[HubModel]:
        found = [m for m in self.models.values() if m.platform == platform and m.owner.lower() == org.lower()]
        return sorted(found, key=lambda m: (m.created_at, m.model_id), reverse=True)


def build_hubs(seed: int, scale: float, catalogue: Catalogue, now: datetime) -> HubWorld:
    """Vendor models per tracked organisation, their copies on the framework's other hubs, and trees."""
    world = HubWorld()
    rng = random.Random(f"{seed}:{scale}:hubs")
    users: dict[str, list[str]] = {}
    for name, fw in catalogue.frameworks.items():
        refs = list(fw.model_orgs)
        if not refs:
            continue
        for ref in refs:
            for former in ref.formerly:
                world.aliases[(ref.platform, former)] = ref.name
            world.owner_types[(ref.platform, ref.name)] = "Organization"
        families = max(2, round(3 * scale))
        for index in range(families):
            family = f"{name}-{index + 1}.{rng.randint(0, 9)}B"
            born = FIRST_DAY + timedelta(days=rng.randint(0, max(1, (now - FIRST_DAY).days - 120)))
            for position, ref in enumerate(refs):  # the first hub first, copies a few days later, renamed
                model_name = family if position == 0 else family.lower().replace(".", "_")
                model = _model(rng, ref.platform, f"{ref.name}/{model_name}", ref.name, "Organization",
                               born + timedelta(days=3 * position), now, relation=None, bases=[])
                model.role, model.framework, model.frameworks = "vendor", name, [name]
                world.models[(ref.platform, model.model_id)] = model
                world.orgs.setdefault((ref.platform, ref.name), []).append(model.model_id)
                _tree(world, rng, users, model, now, depth=1, scale=scale,
                      former=[f"{f}/{model_name}" for f in ref.formerly])
    _merges(world, rng, users, now)
    return world


def _owner(world: HubWorld, rng: random.Random, users: dict[str, list[str]], platform: str) -> str:
    pool = users.setdefault(platform, [])
    if pool and rng.random() < 0.45:  # owners come back: some own several derivatives
        return rng.choice(pool)
    login = f"{rng.choice(OWNER_WORDS)}-{rng.choice(OWNER_WORDS)}{len(pool) + 1}"
    kind = "Organization" if rng.random() < 0.25 else "User"
    world.owner_types[(platform, login)] = kind
    pool.append(login)
    return login


def _model(rng: random.Random, platform: str, model_id: str, owner: str, owner_type: str, created: datetime,
           now: datetime, *, relation: str | None, bases: list[str]) -> HubModel:
    created = min(created, now - timedelta(days=1))
    modified = min(now - timedelta(hours=1), created + timedelta(days=rng.randint(0, 60)))
    total = int(rng.paretovariate(1.2) * 50)
    return HubModel(platform, model_id, f"{rng.getrandbits(96):024x}", owner, owner_type, created, modified,
                    downloads_30d=total // rng.randint(2, 8), downloads_all_time=total, likes=int(total ** 0.5),
                    library=rng.choice(("transformers", "gguf", "peft", "mlx")), pipeline_tag="text-generation",
                    license=rng.choice(("apache-2.0", "mit", "other")), gated=rng.choice(("no", "no", "no", "auto")),
                    relation=relation, bases=list(bases))


def _tree(world: HubWorld, rng: random.Random, users: dict[str, list[str]], parent: HubModel, now: datetime, *,
          depth: int, scale: float, former: list[str]) -> None:
    """Derivatives of `parent`: many at depth 1, fewer below, down to depth 3."""
    wanted = {1: max(2, round(rng.randint(3, 9) * scale)), 2: rng.choice((0, 0, 1, 2)), 3: rng.choice((0, 0, 1))}[depth]
    for number in range(wanted):
        relation = rng.choice(("finetune", "finetune", "adapter", "quantized"))
        owner = _owner(world, rng, users, parent.platform)
        name = parent.model_id.split("/", 1)[1]
        model_id = f"{owner}/{name}-{relation[:3]}{depth}{number}"
        if (parent.platform, model_id) in world.models:
            continue
        declared = rng.choice(former) if former and rng.random() < 0.4 else parent.model_id
        created = parent.created_at + timedelta(days=rng.randint(1, 200))
        child = _model(rng, parent.platform, model_id, owner, world.owner_types[(parent.platform, owner)], created, now,
                       relation=relation, bases=[declared])
        child.framework, child.frameworks = parent.framework, list(parent.frameworks)
        world.models[(parent.platform, model_id)] = child
        if depth < 3:
            _tree(world, rng, users, child, now, depth=depth + 1, scale=scale, former=[])


def _merges(world: HubWorld, rng: random.Random, users: dict[str, list[str]], now: datetime) -> None:
    """On each hub, one merge of derivatives of two frameworks (it counts for both, flagged)."""
    for platform in sorted({m.platform for m in world.models.values()}):
        by_framework: dict[str, list[HubModel]] = {}
        for model in world.models.values():
            if model.platform == platform and model.role == "derivative":
                by_framework.setdefault(model.framework or "", []).append(model)
        names = sorted(by_framework)
        if len(names) < 2:
            continue
        first = sorted(by_framework[names[0]], key=lambda m: m.model_id)[0]
        second = sorted(by_framework[names[1]], key=lambda m: m.model_id)[0]
        owner = _owner(world, rng, users, platform)
        merge = _model(rng, platform, f"{owner}/merge-{names[0].lower()}-{names[1].lower()}", owner,
                       world.owner_types[(platform, owner)], max(first.created_at, second.created_at) + timedelta(days=2),
                       now, relation="merge", bases=[first.model_id, second.model_id])
        merge.framework, merge.frameworks = names[0], names[:2]
        world.models[(platform, merge.model_id)] = merge


def resolved(world: HubWorld, platform: str, base: str) -> str:
    """A declared base id with a former organisation name rewritten to the current one."""
    owner, _, name = base.partition("/")
    current = world.aliases.get((platform, owner))
    return f"{current}/{name}" if current else base
