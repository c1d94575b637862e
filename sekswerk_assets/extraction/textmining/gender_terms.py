"""Gender's term lists (folded: lower case, no accents): person words, compound heads, demonyms, couples.

Kept apart from the rules in ``gender.py`` so that the lists can be read and extended on their own.
"""

from __future__ import annotations

#: person words that describe the advertiser as a woman (whole words)
FEMALE_WORDS: frozenset[str] = frozenset("""
vrouw vrouwtje vrouwtjes female woman dame dames meid meiden meidje meidjes meisje meisjes girl girls girly lady
ladies masseuse masseuses studente studentes milf milfs latina latinas chica chicas godin goddess queen babe babes
hottie blondine blondines brunette brunettes mevrouw eigenaresse schoonheid beauty prinses princess she redhead
roodharige mama moeder secretaresse dominatrix meesteres mistress blonde zussen zusjes sisters vrouwelijk
vrouwelijke werkster werksters minnares verleidster gastvrouw huisvrouw escortdame
colombiana venezolana dominicana italiana brasileira cubana peruana mexicana chilena ecuatoriana filipina pinay
""".split())
#: person words that describe the advertiser as a man (whole words; also male demonym nouns "Braziliaan")
MALE_WORDS: frozenset[str] = frozenset("""
man male broers brothers mannelijk mannelijke jongen jongens jongeman boy boys guy guys gentleman masseur masseurs
heer stud kerel kerels vent knul knullen hunk meneer gastheer
latino latinos brasileiro colombiano venezolano dominicano cubano mexicano italiano peruano argentino chileno
braziliaan colombiaan venezolaan argentijn surinamer peruaan chileen cubaan dominicaan mexicaan marokkaan turk
italiaan spanjaard fransman engelsman nederlander hollander belg duitser roemeen hongaar bulgaar tsjech slowaak
oekrainer rus kroaat servier sloveen griek zweed oostenrijker zwitser antilliaan jamaicaan nigeriaan keniaan
indonesier japanner amsterdammer rotterdammer hagenees brabander limburger
""".split())
#: heads of compounds ("escortjongen", "callgirl", "thuiswerkster"): the last part decides
FEMALE_HEADS: tuple[str, ...] = ("vrouw", "vrouwtje", "dame", "dames", "meid", "meiden", "meidje", "meisje", "meisjes",
                                 "girl", "girls", "lady", "ladies", "masseuse", "masseuses", "werkster", "werksters",
                                 "babe", "babes", "godin", "prinses", "studente")
MALE_HEADS: tuple[str, ...] = ("jongen", "jongens", "boy", "boys", "heer", "kerel", "masseur", "masseurs", "knul")
#: compounds whose last part is not a person of that gender ("reverse cowgirl" is a position)
NOT_PERSON: frozenset[str] = frozenset("""
cowgirl cowgirls beheer zelfbeheer dragqueen dragqueens madame
""".split())

#: Dutch feminine demonyms ("een Poolse", "Hongaarse, 31"): a woman when used as a noun, not before a noun
FEMALE_DEMONYMS: tuple[str, ...] = tuple("""
nederlandse hollandse belgische vlaamse duitse spaanse italiaanse franse portugese britse engelse schotse ierse
griekse zweedse deense noorse finse oostenrijkse zwitserse roemeense poolse hongaarse bulgaarse tsjechische
slowaakse oekraiense russische letse litouwse estse moldavische kroatische servische bosnische sloveense albanese
macedonische braziliaanse colombiaanse venezolaanse argentijnse surinaamse peruaanse chileense ecuadoraanse
boliviaanse paraguayaanse uruguayaanse cubaanse dominicaanse mexicaanse jamaicaanse antilliaanse curacaose
arubaanse thaise filipijnse indonesische vietnamese chinese japanse koreaanse indiase marokkaanse turkse
nigeriaanse ghanese keniaanse afrikaanse aziatische europese amerikaanse scandinavische
friese limburgse brabantse zeeuwse drentse twentse groningse amsterdamse rotterdamse haagse utrechtse
""".split())
#: capitalised words after a demonym that are things, not names ("Thaise Massage", "Chinese Keuken")
NOT_NAMES: frozenset[str] = frozenset("""
massage massages massagesalon salon keuken restaurant les taal stijl style wax thee food kunst kamer studio
escort ontvangst sauna spa
""".split())

#: a couple advertises (the advertiser's gender is not one); "lesbisch stel" -> women, "gay couple" -> men
COUPLE_WORDS: tuple[str, ...] = ("stelletje", "echtpaar", "koppel", "couple", "duo-stel")
PERSON_ANY: tuple[str, ...] = ("man", "heer", "gentleman", "guy", "jongen", "boy", "kerel", "vent", "vrouw", "dame",
                               "lady", "woman", "meid", "meisje", "girl")
#: clients, addressed readers and other people named in an ad (not the advertiser)
CLIENT_WORDS: tuple[str, ...] = (
    "dames", "vrouwen", "heren", "mannen", "stellen", "koppels", "ladies", "women", "men", "gentlemen", "couples",
    "man", "vrouw", "dame", "heer", "gentleman", "lady", "woman", "zakenman", "zakenvrouw", "businessman",
    "businesswoman", "genieter", "genieters", "klant", "klanten", "client", "clients", "gasten", "guests",
    "bezoekers", "visitors", "jongens", "boys", "guys", "girls", "meiden", "meisjes", "liefhebber", "liefhebbers",
    "trans", "ts", "tv", "shemales", "transgenders", "travestieten", "kerels", "koppel", "couple", "stel",
)
KIN_WORDS: tuple[str, ...] = (
    "man", "vriend", "husband", "boyfriend", "vrouw", "wife", "vriendin", "girlfriend", "partner", "moeder", "vader",
    "mama", "papa", "mam", "pap", "mother", "father", "mom", "mum", "dad", "zus", "zusje", "broer", "broertje",
    "sister", "brother", "dochter", "zoon", "daughter", "son", "oma", "opa", "tante", "oom", "aunt", "uncle", "nicht",
    "neef", "cousin", "collega", "colleague", "collegas", "colleagues",
)
