/* lang.c -- the one table of languages: every ISO 639-1 code with its
 * ISO 639-2 (terminological and bibliographic), ISO 639-3 and withdrawn
 * 639-1 codes and its English names, and the lookup every part of Lectern
 * validates a language with (records, query filters, the server's lang=).
 *
 * Why a table and not "two letters": a lecture's language is a filter
 * value and a facet, so "english", "eng" and "en" must be one value, and
 * "xx" or "tlh" (a code for Klingon, which has no 639-1 code) must be an
 * error rather than an empty facet nobody can find.  The 639-1 code is
 * the stored form; it is also what libstemmer accepts.
 *
 * A row: the 639-1 code; the other codes, space-separated (639-2/T first,
 * then 639-2/B where it differs, 639-3 individual codes where the 639-1
 * code names a macrolanguage, withdrawn 639-1 codes still sent by old
 * software: "iw", "in", "ji", "jw", "mo"); the English names, "|"-separated
 * (ISO's name first, then common ones).  Names that stand for several
 * languages ("Gaelic", "Frisian", "Sotho", "Ndebele", "Sami") are left out
 * on purpose: they are not unambiguous.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "lang.h"

static const struct {
    char code[3];
    const char *codes;
    const char *names;
} langs[] = {
    {"aa", "aar", "Afar"},
    {"ab", "abk", "Abkhazian|Abkhaz"},
    {"ae", "ave", "Avestan"},
    {"af", "afr", "Afrikaans"},
    {"ak", "aka", "Akan"},
    {"am", "amh", "Amharic"},
    {"an", "arg", "Aragonese"},
    {"ar", "ara arb", "Arabic"},
    {"as", "asm", "Assamese"},
    {"av", "ava", "Avaric|Avar"},
    {"ay", "aym", "Aymara"},
    {"az", "aze", "Azerbaijani|Azeri"},
    {"ba", "bak", "Bashkir"},
    {"be", "bel", "Belarusian"},
    {"bg", "bul", "Bulgarian"},
    {"bi", "bis", "Bislama"},
    {"bm", "bam", "Bambara"},
    {"bn", "ben", "Bengali|Bangla"},
    {"bo", "bod tib", "Tibetan"},
    {"br", "bre", "Breton"},
    {"bs", "bos", "Bosnian"},
    {"ca", "cat", "Catalan|Valencian"},
    {"ce", "che", "Chechen"},
    {"ch", "cha", "Chamorro"},
    {"co", "cos", "Corsican"},
    {"cr", "cre", "Cree"},
    {"cs", "ces cze", "Czech"},
    {"cu", "chu", "Church Slavic|Church Slavonic|Old Church Slavonic"},
    {"cv", "chv", "Chuvash"},
    {"cy", "cym wel", "Welsh"},
    {"da", "dan", "Danish"},
    {"de", "deu ger", "German"},
    {"dv", "div", "Divehi|Dhivehi|Maldivian"},
    {"dz", "dzo", "Dzongkha"},
    {"ee", "ewe", "Ewe"},
    {"el", "ell gre", "Greek|Modern Greek"},
    {"en", "eng", "English"},
    {"eo", "epo", "Esperanto"},
    {"es", "spa", "Spanish|Castilian"},
    {"et", "est ekk", "Estonian"},
    {"eu", "eus baq", "Basque"},
    {"fa", "fas per pes", "Persian|Farsi"},
    {"ff", "ful", "Fulah|Fula|Fulani"},
    {"fi", "fin", "Finnish"},
    {"fj", "fij", "Fijian"},
    {"fo", "fao", "Faroese"},
    {"fr", "fra fre", "French"},
    {"fy", "fry", "Western Frisian|West Frisian"},
    {"ga", "gle", "Irish"},
    {"gd", "gla", "Scottish Gaelic"},
    {"gl", "glg", "Galician"},
    {"gn", "grn", "Guarani"},
    {"gu", "guj", "Gujarati"},
    {"gv", "glv", "Manx"},
    {"ha", "hau", "Hausa"},
    {"he", "heb iw", "Hebrew"},
    {"hi", "hin", "Hindi"},
    {"ho", "hmo", "Hiri Motu"},
    {"hr", "hrv", "Croatian"},
    {"ht", "hat", "Haitian Creole|Haitian"},
    {"hu", "hun", "Hungarian"},
    {"hy", "hye arm", "Armenian"},
    {"hz", "her", "Herero"},
    {"ia", "ina", "Interlingua"},
    {"id", "ind in", "Indonesian"},
    {"ie", "ile", "Interlingue|Occidental"},
    {"ig", "ibo", "Igbo"},
    {"ii", "iii", "Sichuan Yi|Nuosu"},
    {"ik", "ipk", "Inupiaq"},
    {"io", "ido", "Ido"},
    {"is", "isl ice", "Icelandic"},
    {"it", "ita", "Italian"},
    {"iu", "iku", "Inuktitut"},
    {"ja", "jpn", "Japanese"},
    {"jv", "jav jw", "Javanese"},
    {"ka", "kat geo", "Georgian"},
    {"kg", "kon", "Kongo"},
    {"ki", "kik", "Kikuyu|Gikuyu"},
    {"kj", "kua", "Kuanyama|Kwanyama"},
    {"kk", "kaz", "Kazakh"},
    {"kl", "kal", "Kalaallisut|Greenlandic"},
    {"km", "khm", "Khmer|Central Khmer"},
    {"kn", "kan", "Kannada"},
    {"ko", "kor", "Korean"},
    {"kr", "kau", "Kanuri"},
    {"ks", "kas", "Kashmiri"},
    {"ku", "kur", "Kurdish"},
    {"kv", "kom", "Komi"},
    {"kw", "cor", "Cornish"},
    {"ky", "kir", "Kyrgyz|Kirghiz"},
    {"la", "lat", "Latin"},
    {"lb", "ltz", "Luxembourgish|Letzeburgesch"},
    {"lg", "lug", "Ganda|Luganda"},
    {"li", "lim", "Limburgish|Limburgan"},
    {"ln", "lin", "Lingala"},
    {"lo", "lao", "Lao"},
    {"lt", "lit", "Lithuanian"},
    {"lu", "lub", "Luba-Katanga"},
    {"lv", "lav lvs", "Latvian"},
    {"mg", "mlg", "Malagasy"},
    {"mh", "mah", "Marshallese"},
    {"mi", "mri mao", "Maori|M\xC4\x81ori"},
    {"mk", "mkd mac", "Macedonian"},
    {"ml", "mal", "Malayalam"},
    {"mn", "mon", "Mongolian"},
    {"mr", "mar", "Marathi"},
    {"ms", "msa may zsm", "Malay"},
    {"mt", "mlt", "Maltese"},
    {"my", "mya bur", "Burmese"},
    {"na", "nau", "Nauru|Nauruan"},
    {"nb", "nob", "Norwegian Bokm\xC3\xA5l|Norwegian Bokmal|Bokm\xC3\xA5l|Bokmal"},
    {"nd", "nde", "North Ndebele"},
    {"ne", "nep npi", "Nepali"},
    {"ng", "ndo", "Ndonga"},
    {"nl", "nld dut", "Dutch|Flemish"},
    {"nn", "nno", "Norwegian Nynorsk|Nynorsk"},
    {"no", "nor", "Norwegian"},
    {"nr", "nbl", "South Ndebele"},
    {"nv", "nav", "Navajo|Navaho"},
    {"ny", "nya", "Chichewa|Chewa|Nyanja"},
    {"oc", "oci", "Occitan"},
    {"oj", "oji", "Ojibwa|Ojibwe"},
    {"om", "orm", "Oromo"},
    {"or", "ori", "Oriya|Odia"},
    {"os", "oss", "Ossetian|Ossetic"},
    {"pa", "pan", "Punjabi|Panjabi"},
    {"pi", "pli", "Pali"},
    {"pl", "pol", "Polish"},
    {"ps", "pus", "Pashto|Pushto"},
    {"pt", "por", "Portuguese"},
    {"qu", "que", "Quechua"},
    {"rm", "roh", "Romansh"},
    {"rn", "run", "Rundi|Kirundi"},
    {"ro", "ron rum mo", "Romanian|Moldavian|Moldovan"},
    {"ru", "rus", "Russian"},
    {"rw", "kin", "Kinyarwanda"},
    {"sa", "san", "Sanskrit"},
    {"sc", "srd", "Sardinian"},
    {"sd", "snd", "Sindhi"},
    {"se", "sme", "Northern Sami"},
    {"sg", "sag", "Sango"},
    {"si", "sin", "Sinhala|Sinhalese"},
    {"sk", "slk slo", "Slovak"},
    {"sl", "slv", "Slovenian|Slovene"},
    {"sm", "smo", "Samoan"},
    {"sn", "sna", "Shona"},
    {"so", "som", "Somali"},
    {"sq", "sqi alb", "Albanian"},
    {"sr", "srp", "Serbian"},
    {"ss", "ssw", "Swati|Swazi"},
    {"st", "sot", "Southern Sotho|Sesotho"},
    {"su", "sun", "Sundanese"},
    {"sv", "swe", "Swedish"},
    {"sw", "swa swh", "Swahili|Kiswahili"},
    {"ta", "tam", "Tamil"},
    {"te", "tel", "Telugu"},
    {"tg", "tgk", "Tajik"},
    {"th", "tha", "Thai"},
    {"ti", "tir", "Tigrinya"},
    {"tk", "tuk", "Turkmen"},
    {"tl", "tgl", "Tagalog"},
    {"tn", "tsn", "Tswana|Setswana"},
    {"to", "ton", "Tongan|Tonga"},
    {"tr", "tur", "Turkish"},
    {"ts", "tso", "Tsonga"},
    {"tt", "tat", "Tatar"},
    {"tw", "twi", "Twi"},
    {"ty", "tah", "Tahitian"},
    {"ug", "uig", "Uyghur|Uighur"},
    {"uk", "ukr", "Ukrainian"},
    {"ur", "urd", "Urdu"},
    {"uz", "uzb", "Uzbek"},
    {"ve", "ven", "Venda"},
    {"vi", "vie", "Vietnamese"},
    {"vo", "vol", "Volap\xC3\xBCk|Volapuk"},
    {"wa", "wln", "Walloon"},
    {"wo", "wol", "Wolof"},
    {"xh", "xho", "Xhosa"},
    {"yi", "yid ydd ji", "Yiddish"},
    {"yo", "yor", "Yoruba"},
    {"za", "zha", "Zhuang"},
    {"zh", "zho chi cmn", "Chinese|Mandarin"},
    {"zu", "zul", "Zulu"},
};

#define NLANGS (sizeof langs / sizeof langs[0])

/* Whether word (len bytes) is one of the sep-separated items of list,
 * ignoring ASCII case. */
static int in_list(const char *list, char sep, const char *word, size_t len) {
    for (const char *p = list; *p;) {
        const char *e = strchr(p, sep);
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == len && strncasecmp(p, word, len) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

/* Whether s is a run of "-x" or "_x" subtags, each 1 to 8 letters or
 * digits (BCP 47's region, script and variant subtags). */
static int subtags_ok(const char *s) {
    while (*s) {
        if (*s != '-' && *s != '_')
            return 0;
        size_t k = 0;
        for (s++; isalnum((unsigned char)*s); s++)
            k++;
        if (k < 1 || k > 8)
            return 0;
    }
    return 1;
}

/* The two- and three-letter codes, hashed once per process: a code is
 * looked up without walking the table (the dictionaries' 44 lookups
 * were most of loading them: ~340K instructions a process).  A slot
 * holds the code's key (code_key; 0 empty) and 1 + its row's index, the
 * top bit set when it is one of the row's other codes; the first row
 * that lists a code owns it, as in the walk below. */
#define CODE_SLOTS 1024
#define CODE_MAPPED 0x8000u
static struct {
    uint32_t key[CODE_SLOTS];
    uint16_t val[CODE_SLOTS];
} codes_ix;
static pthread_once_t codes_once = PTHREAD_ONCE_INIT;

/* A code of n (2 or 3) bytes as a number, ASCII case folded. */
static uint32_t code_key(const char *s, size_t n) {
    uint32_t k = (uint32_t)n << 24;
    for (size_t i = 0; i < n; i++)
        k |= (uint32_t)(unsigned char)tolower((unsigned char)s[i]) << (8 * i);
    return k;
}

static size_t code_slot(uint32_t k) {
    size_t h = (k * 2654435761u) >> 22;
    while (codes_ix.key[h] && codes_ix.key[h] != k)
        h = (h + 1) % CODE_SLOTS;
    return h;
}

static void code_add(const char *s, size_t n, uint16_t val) {
    if (n < 2 || n > 3)
        return;
    uint32_t k = code_key(s, n);
    size_t h = code_slot(k);
    if (!codes_ix.key[h]) {
        codes_ix.key[h] = k;
        codes_ix.val[h] = val;
    }
}

static void codes_build(void) {
    for (size_t i = 0; i < NLANGS; i++) {
        code_add(langs[i].code, 2, (uint16_t)(i + 1));
        for (const char *p = langs[i].codes; *p;) {
            size_t n = strcspn(p, " ");
            code_add(p, n, (uint16_t)((i + 1) | CODE_MAPPED));
            p += n + (p[n] != 0);
        }
    }
}

int lx_language_lookup(const char *lang, char code[3]) {
    if (!lang)
        return LX_EINVAL;
    size_t len = strlen(lang);
    /* A BCP 47 tag ("en-GB", "pt_BR", "zh-Hant"): its language subtag
     * decides.  Names ("Haitian Creole") have no '-' or '_' but may have
     * spaces, so the split is on those two only. */
    size_t sub = strcspn(lang, "-_");
    int tagged = sub < len && sub >= 2 && sub <= 3;
    size_t n = tagged ? sub : len;
    if (n == 0 || n > 64 || (tagged && !subtags_ok(lang + sub)))
        return LX_EINVAL;
    if (n == 2 || n == 3) { /* a code, never a name */
        pthread_once(&codes_once, codes_build);
        uint32_t k = code_key(lang, n);
        size_t h = code_slot(k);
        if (!codes_ix.key[h])
            return LX_EINVAL;
        memcpy(code, langs[(codes_ix.val[h] & ~CODE_MAPPED) - 1].code, 3);
        return codes_ix.val[h] & CODE_MAPPED ? LX_LANG_MAPPED : 0;
    }
    for (size_t i = 0; i < NLANGS; i++) { /* a name (n > 3: never tagged) */
        if (in_list(langs[i].names, '|', lang, n)) {
            memcpy(code, langs[i].code, 3);
            return LX_LANG_MAPPED;
        }
    }
    return LX_EINVAL;
}
