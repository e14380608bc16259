"""A deterministic generator of German-like text about municipal cooperation: real domain words
with inflections, compounds with linking elements, function words, and a long tail of made-up
names, drawn from a Zipf-like distribution."""

import random
from itertools import accumulate

FUNCTION = [
    "der",
    "die",
    "das",
    "und",
    "in",
    "mit",
    "für",
    "von",
    "zu",
    "auf",
    "ist",
    "wird",
    "werden",
    "eine",
    "einer",
    "einen",
    "den",
    "dem",
    "des",
    "sich",
    "nicht",
    "auch",
    "als",
    "bei",
    "nach",
    "über",
    "durch",
    "um",
    "aus",
    "wie",
    "oder",
    "aber",
    "sie",
    "es",
    "wir",
    "ihre",
    "seine",
    "diese",
    "noch",
    "schon",
    "sehr",
    "mehr",
    "nur",
    "so",
    "dann",
    "wenn",
    "weil",
    "dass",
    "im",
    "am",
    "zum",
    "zur",
    "vom",
    "beim",
]
NOUNS = [
    "Stadt",
    "Quartier",
    "Verwaltung",
    "Initiative",
    "Beteiligung",
    "Bürger",
    "Rat",
    "Fonds",
    "Projekt",
    "Netzwerk",
    "Entwicklung",
    "Nutzung",
    "Raum",
    "Haus",
    "Verein",
    "Kultur",
    "Politik",
    "Planung",
    "Konzept",
    "Modell",
    "Kooperation",
    "Gemeinde",
    "Nachbarschaft",
    "Jugend",
    "Boden",
    "Garten",
    "Markt",
    "Schule",
    "Platz",
    "Stelle",
    "Träger",
    "Beirat",
    "Forum",
    "Werkstatt",
    "Labor",
    "Zentrum",
    "Büro",
    "Straße",
    "Fläche",
    "Gebäude",
    "Leerstand",
    "Vergabe",
    "Verfahren",
    "Leitlinie",
    "Akademie",
    "Festival",
    "Stiftung",
    "Förderung",
    "Programm",
    "Wettbewerb",
    "Preis",
    "Zusammenarbeit",
    "Dialog",
    "Gesellschaft",
    "Wirtschaft",
    "Wohnung",
    "Miete",
    "Eigentum",
    "Genossenschaft",
    "Bahnhof",
    "Park",
    "Hof",
    "Anker",
]
ADJECTIVES = [
    "kommunal",
    "zivilgesellschaftlich",
    "gemeinsam",
    "neu",
    "offen",
    "lokal",
    "städtisch",
    "kooperativ",
    "sozial",
    "öffentlich",
    "grün",
    "kulturell",
    "politisch",
    "gemeinnützig",
    "jung",
    "alt",
    "klein",
    "groß",
    "lebendig",
]
VERBS = [
    "entwickelt",
    "beteiligt",
    "fördert",
    "plant",
    "gestaltet",
    "unterstützt",
    "vermittelt",
    "berät",
    "organisiert",
    "öffnet",
    "nutzt",
    "verhandelt",
    "beschließt",
    "trägt",
    "vernetzt",
    "erprobt",
    "begleitet",
    "finanziert",
]
FUGEN = ("", "s", "", "en", "", "es")
PLURAL = ("e", "en", "s", "er", "n", "")
ADJ_END = ("e", "en", "er", "es", "")
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vo",
    "bi",
    "da",
    "fe",
    "gu",
    "ha",
    "ji",
    "ko",
    "lu",
    "ma",
    "ni",
    "po",
    "ra",
    "si",
    "tu",
    "we",
    "ze",
]


class TextGenerator:
    def __init__(self, seed: int = 7, compounds: int = 3000, names: int = 20000) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.compounds = [
            rng.choice(NOUNS) + rng.choice(FUGEN) + rng.choice(NOUNS).lower()
            for _ in range(compounds)
        ]
        self.names = [
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
            for _ in range(names)
        ]
        # Zipf-like weights: the k-th word of a list is drawn with weight 1/(k+1)^s.
        self._noun_w = list(accumulate(1 / (k + 1) for k in range(len(NOUNS))))
        self._comp_w = list(accumulate(1 / (k + 1) ** 0.9 for k in range(compounds)))
        self._name_w = list(accumulate(1 / (k + 1) ** 1.1 for k in range(names)))

    def word(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.40:
            return rng.choice(FUNCTION)
        if r < 0.62:
            noun = rng.choices(NOUNS, cum_weights=self._noun_w)[0]
            return noun + (rng.choice(PLURAL) if rng.random() < 0.3 else "")
        if r < 0.74:
            return rng.choices(self.compounds, cum_weights=self._comp_w)[0]
        if r < 0.84:
            return rng.choice(ADJECTIVES) + rng.choice(ADJ_END)
        if r < 0.93:
            return rng.choice(VERBS)
        return rng.choices(self.names, cum_weights=self._name_w)[0]

    def sentence(self, n: int) -> str:
        words = [self.word() for _ in range(n)]
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + "."

    def text(self, words: int) -> str:
        out: list[str] = []
        while words > 0:
            n = min(words, self.rng.randint(6, 16))
            out.append(self.sentence(n))
            words -= n
        return " ".join(out)

    def title(self) -> str:
        rng = self.rng
        return " ".join(
            [rng.choice(self.compounds), rng.choice(self.names), rng.choice(NOUNS)][
                : rng.randint(2, 3)
            ]
        )
