"""Synthetic people and their accounts: where they are, how their profiles say it, which emails they commit with.

A person's truth (country, ISO 3166-2 region, city) is the place at the precision their profiles convey:
someone whose profile says "Zhejiang, China" has region CN-ZJ and no city. People with no place at all
have an empty or noisy location ("Earth", emoji) everywhere, and a blank truth. Gitee profiles have no
location field, so people seen only on Gitee keep a truth no profile reveals (`location_source` = none).
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

from oss_miner.sandbox import pools
from oss_miner.sandbox.model import Account, Person, World

UTC = timezone.utc
PLATFORMS = ("github", "gitee", "gitlab")
ACCOUNT_ID_RANGE = {"github": (1_000, 160_000_000), "gitee": (100_000, 12_000_000), "gitlab": (1_000, 20_000_000)}
ACCOUNT_EPOCH = {"github": datetime(2009, 1, 1, tzinfo=UTC), "gitee": datetime(2014, 1, 1, tzinfo=UTC),
                 "gitlab": datetime(2014, 6, 1, tzinfo=UTC)}
_LOGIN_BAD = re.compile(r"[^A-Za-z0-9-]")


def weighted(rng: random.Random, table: dict | tuple) -> object:
    """One key of {key: weight} (or one item of ((item, weight), ...))."""
    items = list(table.items()) if isinstance(table, dict) else list(table)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _cn_city(name: str) -> pools.ChineseCity | None:
    return next((c for c in pools.CN_CITIES if c.city == name), None)


def _foreign(country: str, city: str | None) -> pools.Place | None:
    return next((p for p in pools.FOREIGN.get(country, ()) if p.city == city), None)


def utc_offset(person: Person, when: datetime) -> int:
    """The offset a person's clock shows at `when` (summer time where their place keeps one)."""
    if person.dst == "north" and 4 <= when.month <= 10:
        return person.utc_offset_minutes + 60
    if person.dst == "south" and (when.month >= 10 or when.month <= 3):
        return person.utc_offset_minutes + 60
    return person.utc_offset_minutes


def render_location(rng: random.Random, truth: tuple[str | None, str | None, str | None]) -> str:
    """A plausible way of writing a place known at the given precision."""
    country, region, city = truth
    if country == "CN" and city:
        return _render_cn_city(rng, _cn_city(city))
    if country == "CN" and region:
        prov = pools.PROVINCES[region]
        return rng.choice((f"{prov.english}, China", prov.chinese, f"{prov.chinese}省", f"{prov.english} Province, China",
                           f"{prov.camel or prov.english}, China", prov.english))
    if country and city:
        place = _foreign(country, city)
        spelling = rng.choice(place.spellings)
        if "," not in spelling and rng.random() < 0.4:
            spelling = f"{spelling}, {rng.choice(pools.COUNTRY_NAMES[country])}"
        return spelling
    if country:
        return rng.choice(pools.COUNTRY_NAMES[country])
    return ""


def _render_cn_city(rng: random.Random, c: pools.ChineseCity) -> str:
    prov = pools.PROVINCES[c.region]
    muni = c.region in pools.MUNICIPALITIES
    options: list[tuple[str, float]] = [
        (c.city, 12), (f"{c.city}, China", 14), (c.chinese, 6), (f"{c.chinese}市", 4), (f"China, {c.city}", 3),
        (c.camel or c.city, 5), (f"China {c.camel or c.city}", 2), (f"{c.city.lower()}, china", 4),
        (f"{c.city}，China", 2), (f" {c.city} ", 1), (f"{c.city}, CN", 2), (f"{c.city}, P.R.China", 1),
        (f"{c.city} / {rng.choice(('Tokyo', 'Singapore', 'Seattle', 'Berlin'))}", 2), (f"\t{c.city}\x0b", 0.3),
    ]
    if c.districts:
        options.append((f"{c.chinese}市{rng.choice(c.districts)}", 5))
    if not muni:
        options += [(f"{c.city}, {prov.english}", 8), (f"{c.city}, {prov.english}, China", 5),
                    (f"{prov.chinese}{c.chinese}", 4), (f"{prov.chinese}省{c.chinese}市", 2)]
    if c.landmarks:
        options.append((rng.choice(c.landmarks), 3))
    if c.city == "Shenzhen":
        options += [("SZ, China", 2), ("SZ", 0.5)]
    return weighted(rng, options)


class PeopleFactory:
    """Makes people and accounts with unique logins; ids are given out later (sorted by creation time)."""

    def __init__(self, world: World, bot_regex: re.Pattern[str], rng: random.Random):
        self.world = world
        self.rng = rng
        self.bot_regex = bot_regex
        self.logins = {p: {a.login.lower() for a in world.accounts.values() if a.platform == p} for p in PLATFORMS}
        self.next_person = max(world.people, default=0) + 1
        self.pending: list[Account] = []  # accounts waiting for an id

    # ----- people -----
    def person(self, *, cn_share: float, foreign_mix: dict[str, float], unknown_share: float,
               employer: str | None = None, vendor_city: str | None = None) -> Person:
        rng = self.rng
        truth, offset, dst, in_cn = self.sample_place(cn_share, foreign_mix, unknown_share, vendor_city)
        located = truth[0] is not None
        chinese_name = truth[0] in ("CN", "TW", "HK", "SG", "MY") if located else in_cn
        name, git_name = self._name(chinese_name, truth[0])
        person = Person(self.next_person, name, [], truth[0], truth[1], truth[2], offset, employer=employer,
                        git_name=git_name, location_source="none" if located else rng.choice(("none", "noise")),
                        dst=dst)
        self.world.people[person.person_id] = person
        self.next_person += 1
        return person

    def sample_place(self, cn_share: float, foreign_mix: dict[str, float], unknown_share: float,
                     vendor_city: str | None = None):
        """(truth, standard offset, dst rule, in mainland China) of someone; truth is (None,)*3 when unknown."""
        rng = self.rng
        located = rng.random() >= unknown_share
        in_cn = rng.random() < cn_share
        if located:
            truth, offset, dst = self._place(in_cn, foreign_mix, vendor_city)
            return truth, offset, dst, in_cn
        offset = 480 if in_cn else weighted(rng, {p.offset: p.weight for c in foreign_mix for p in pools.FOREIGN[c]})
        return (None, None, None), offset, "", in_cn

    def _place(self, in_cn: bool, foreign_mix: dict[str, float], vendor_city: str | None):
        rng = self.rng
        if in_cn:
            if vendor_city and rng.random() < 0.6:
                city = _cn_city(vendor_city)
            else:
                city = weighted(rng, {c: c.weight for c in pools.CN_CITIES})
            precision = rng.random()
            if precision < 0.08:
                return ("CN", None, None), 480, ""
            if precision < 0.15 and city.region not in pools.MUNICIPALITIES:
                return ("CN", city.region, None), 480, ""
            return ("CN", city.region, city.city), 480, ""
        country = weighted(rng, foreign_mix)
        place = weighted(rng, {p: p.weight for p in pools.FOREIGN[country]})
        if rng.random() < 0.1:
            return (country, None, None), place.offset, place.dst
        return (country, place.region, place.city), place.offset, place.dst

    def _name(self, chinese: bool, country: str | None) -> tuple[str, str]:
        rng = self.rng
        if chinese:
            (sp, sc), (gp, gc) = rng.choice(pools.CN_SURNAMES), rng.choice(pools.CN_GIVEN)
            pinyin = rng.choice((f"{sp} {gp}", f"{gp} {sp}"))
            name = weighted(rng, ((pinyin, 5), (sc + gc, 3), ((sp + gp).lower(), 1)))
            git = weighted(rng, ((name, 6), (f"{gp} {sp}", 2), ((sp + gp).lower(), 2)))
            return name, git
        if country == "IN":
            name = f"{rng.choice(pools.INDIAN_FIRST)} {rng.choice(pools.INDIAN_LAST)}"
        elif country == "JP":
            first, last, kanji = rng.choice(pools.JAPANESE)
            name = rng.choice((f"{first} {last}", kanji))
        elif country == "KR":
            first, last = rng.choice(pools.KOREAN)
            name = f"{first} {last}"
        else:
            name = f"{rng.choice(pools.WESTERN_FIRST)} {rng.choice(pools.WESTERN_LAST)}"
        return name, name

    # ----- accounts -----
    def login_for(self, platform: str, person_name: str, prefer: str | None = None) -> str:
        rng = self.rng
        taken = self.logins[platform]
        if prefer and prefer.lower() not in taken and self._valid(platform, prefer):
            return self._take(platform, prefer)
        ascii_tokens = [t for t in re.split(r"[^A-Za-z]+", person_name) if t] or [rng.choice(pools.LOGIN_WORDS)]
        for attempt in range(50):
            a = ascii_tokens[0].lower()
            b = ascii_tokens[-1].lower() if len(ascii_tokens) > 1 else rng.choice(pools.LOGIN_WORDS)
            sep = "-" if platform == "github" else rng.choice(("-", "_", ""))
            login = weighted(rng, (
                (f"{a}{b}", 3), (f"{b}{a}", 2), (f"{a}{sep}{b}", 3), (f"{a}{b}{rng.randint(1, 2024)}", 3),
                (f"{a[0]}{b}{rng.randint(10, 99)}", 2), (f"{rng.choice(pools.LOGIN_WORDS)}{sep}{a}", 2),
                (f"{a.title()}{b.title()}", 1), (f"{rng.choice(pools.LOGIN_WORDS)}{rng.randint(100, 99999)}", 1),
            ))
            if attempt > 20:
                login = f"{login}{rng.randint(1000, 999999)}"
            if login.lower() not in taken and self._valid(platform, login):
                return self._take(platform, login)
        raise RuntimeError("could not find a free login")  # pragma: no cover

    def _valid(self, platform: str, login: str) -> bool:
        if self.bot_regex.search(login) or not login or len(login) > 39:
            return False
        if platform == "github":
            return not _LOGIN_BAD.search(login) and not login.startswith("-") and not login.endswith("-") \
                and "--" not in login
        return re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", login) is not None

    def _take(self, platform: str, login: str) -> str:
        self.logins[platform].add(login.lower())
        return login

    def reserve(self, platform: str, login: str) -> str:
        """Claim an exact login (organisations, bots); fails loudly on a clash."""
        if login.lower() in self.logins[platform]:
            raise ValueError(f"login {platform}:{login} is used twice")
        return self._take(platform, login)

    def account(self, person: Person | None, platform: str, login: str, *, kind: str = "User",
                created_at: datetime | None = None, account_id: int = 0) -> Account:
        rng = self.rng
        if created_at is None:
            start = ACCOUNT_EPOCH[platform]
            span = (self.world.now - timedelta(days=30) - start).total_seconds()
            created_at = start + timedelta(seconds=int(span * rng.random() ** 0.8))
        account = Account(platform, account_id, login, kind, person.person_id if person else None, None, None, None,
                          None, None, None, created_at)
        if account_id:
            self.world.accounts[(platform, account_id)] = account
        else:
            self.pending.append(account)
        return account

    def assign_ids(self, fixed: dict[str, set[int]] | None = None, above_existing: bool = False) -> None:
        """Give every pending account a unique id; older accounts get smaller ids, as on the real forges."""
        rng = self.rng
        for platform in PLATFORMS:
            todo = sorted((a for a in self.pending if a.platform == platform), key=lambda a: (a.created_at, a.login))
            if not todo:
                continue
            used = {k[1] for k in self.world.accounts if k[0] == platform} | (fixed or {}).get(platform, set())
            lo, hi = ACCOUNT_ID_RANGE[platform]
            if above_existing and used:
                lo = max(used) + 1
                hi = lo + 50 * len(todo) + 1000
            ids: set[int] = set()
            while len(ids) < len(todo):
                candidate = rng.randint(lo, hi)
                if candidate not in used:
                    ids.add(candidate)
            for account, account_id in zip(todo, sorted(ids)):
                account.account_id = account_id
                self.world.accounts[(platform, account_id)] = account
        self.pending = [a for a in self.pending if not a.account_id]



def fill_profile(rng: random.Random, account: Account, person: Person, company_choices: tuple[str, ...]) -> None:
    """Display name, location, company, blog, bio and counters of one account, from its person.

    Gitee profiles have neither a location nor a company field, so those stay None there.
    """
    account.name = weighted(rng, ((person.name, 7), (person.git_name, 2), (None, 1)))
    if account.platform != "gitee":
        if person.location_source == "noise":
            account.location = rng.choice(pools.NOISE_LOCATIONS)
        elif person.country_iso2 is None:
            account.location = rng.choice(("", None))
        elif account.platform == "github" or rng.random() < 0.5:
            account.location = render_location(rng, (person.country_iso2, person.region, person.city))
            person.location_source = "profile"
        account.company = rng.choice(company_choices) or None
    template = rng.choice(pools.BLOG_TEMPLATES)
    if rng.random() < 0.3:
        account.blog = template.format(login=account.login.lower(), num=rng.randint(10_000, 9_999_999))
    account.bio = (rng.choice(pools.BIOS) or None) if rng.random() < 0.35 else None
    account.followers = max(0, int(rng.paretovariate(1.2)) - 1)
    account.public_repos = max(0, int(rng.paretovariate(1.0) * 3) - 3 + rng.randint(0, 5))


def personal_email(rng: random.Random, person: Person, cn: bool) -> str:
    domain = weighted(rng, pools.PERSONAL_DOMAINS_CN if cn else pools.PERSONAL_DOMAINS_INTL)
    if domain == "qq.com":
        return f"{rng.randint(100_000, 3_999_999_999)}@qq.com"
    tokens = [t.lower() for t in re.split(r"[^A-Za-z]+", person.git_name + " " + person.name) if t] or ["dev"]
    local = weighted(rng, (("".join(tokens[:2]), 3), (".".join(tokens[:2]), 2),
                           (f"{tokens[0]}{rng.randint(1, 9999)}", 3), (f"{tokens[-1]}_{tokens[0]}", 1)))
    return f"{local}@{domain}"


def noreply_github(account: Account) -> str:
    return f"{account.account_id}+{account.login}@{pools.NOREPLY_GITHUB}"


def noreply_gitee(account: Account) -> str:
    return f"{account.account_id}+{account.login}@{pools.NOREPLY_GITEE}"
