"""Script-injection vectors the XSS test types into every input a member has.

Grouped by kind; every vector is a payload that would run `alert`, `confirm` or `prompt` (or
load a javascript:/data: URL) if a page let it through. None contains a NUL byte: PostgreSQL
refuses those in text, which would end the test before the page is ever shown."""

TAG = [
    "<script>alert(1)</script>",
    "<script src=data:text/javascript,alert(2)></script>",
    "<script>confirm`3`</script>",
    "<img src=x onerror=alert(4)>",
    "<img src=x onerror=\"prompt(5)\">",
    "<svg onload=alert(6)>",
    "<svg><script>alert(7)</script></svg>",
    "<iframe src=\"javascript:alert(8)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(9)</script>\"></iframe>",
    "<body onload=alert(10)>",
    "<object data=\"javascript:alert(11)\"></object>",
    "<embed src=\"javascript:alert(12)\">",
    "<details open ontoggle=alert(13)>",
    "<video><source onerror=alert(14)></video>",
    "<audio src=x onerror=alert(15)>",
    "<input autofocus onfocus=alert(16)>",
    "<select autofocus onfocus=alert(17)></select>",
    "<textarea autofocus onfocus=alert(18)></textarea>",
    "<marquee onstart=alert(19)>x</marquee>",
    "<form action=\"javascript:alert(20)\"><button>Senden</button></form>",
    "<button form=x formaction=\"javascript:alert(21)\">OK</button>",
    "<base href=\"javascript:alert(22)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(23)\">",
    "<link rel=stylesheet href=\"javascript:alert(24)\">",
    "<style>@import 'javascript:alert(25)';</style>",
    "<div style=\"background:url(javascript:alert(26))\">x</div>",
    "<xss onpointerover=alert(27)>hover</xss>",
    "<a href=\"javascript:alert(28)\">klick</a>",
    "<template><img src=x onerror=alert(29)></template>",
    "<svg><animate onbegin=alert(30) attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:alert(31)\"><text x=20 y=20>X</text></a></svg>",
    "<image src=x onerror=alert(32)>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgzMyk8L3NjcmlwdD4=\"></object>",
    "<isindex action=javascript:alert(34) type=image>",
    "<img srcset=\",,,,,x\" onerror=alert(35)>",
    "<body onpageshow=alert(36)>",
]

ATTRIBUTE = [
    "\"><script>alert(101)</script>",
    "'><img src=x onerror=alert(102)>",
    "\" onmouseover=\"alert(103)",
    "' onfocus='alert(104)' autofocus='",
    "\" autofocus onfocus=\"alert(105)",
    "\"/><svg/onload=alert(106)>",
    "</textarea><script>alert(107)</script>",
    "</title><script>alert(108)</script>",
    "</script><script>alert(109)</script>",
    "</style><img src=x onerror=alert(110)>",
    "--><script>alert(111)</script>",
    "]]><img src=x onerror=alert(112)>",
    "\" style=\"animation-name:x\" onanimationstart=\"alert(113)",
    "javascript:/*--></title></style></textarea></script><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(114)//'>",
    "<img \"\"\"><script>alert(115)</script>\">",
    "<a title=\"x\" onclick=alert(116)>x</a>",
    "<p/onmouseover=alert(117)>x",
    "<img src=x:alert(alt) onerror=eval(src) alt=118>",
    "` onmouseover=alert(119) x=`",
    "</option></select><img src=x onerror=alert(120)>",
    "\" onfocusin=\"alert(121)\" tabindex=\"0",
    "</noscript><img src=x onerror=alert(122)>",
    "</h1><img src=x onerror=alert(123)><h1>",
]

URL_SCHEME = [
    "javascript:alert(201)",
    "JaVaScRiPt:alert(202)",
    " javascript:alert(203)",
    "java\tscript:alert(204)",
    "java&#x09;script:alert(205)",
    "&#106;avascript:alert(206)",
    "vbscript:msgbox(207)",
    "data:text/html,<script>alert(208)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgyMDkpPC9zY3JpcHQ+",
    "javascript&colon;alert(210)",
    "javascript:%61lert(211)",
    "jav&#x0A;ascript:alert(212)",
    "https://example.org/\"onmouseover=\"alert(213)",
    "https://example.org/?q=<script>alert(214)</script>",
    "https://example.org/'><img/src=x/onerror=alert(215)>",
    "//javascript:alert(216)",
]

ENCODING = [
    "&lt;script&gt;alert(301)&lt;/script&gt;",
    "%3Cscript%3Ealert(302)%3C/script%3E",
    "\\u003cscript\\u003ealert(303)\\u003c/script\\u003e",
    "&#60;script&#62;alert(304)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(305)&#x3E;",
    "\\x3cscript\\x3ealert(306)\\x3c/script\\x3e",
    "＜script＞alert(307)＜/script＞",
    "<scr<script>ipt>alert(308)</scr</script>ipt>",
    "<SCRIPT>alert(309)</SCRIPT>",
    "<ScRiPt>alert(310)</sCrIpT>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(311)>",
    "<img src=x onerror=\"&#x61;lert(312)\">",
    "<<script>alert(313)//<</script>",
    "<img src=x onerror=alert&lpar;314&rpar;>",
    "%253Cscript%253Ealert(315)%253C/script%253E",
    "<svg><script>&#97;lert(316)</script>",
    "\u202e<img src=x onerror=alert(317)>",
    "<img src=x onerror=\\u0061lert(318)>",
    "+ADw-script+AD4-alert(319)+ADw-/script+AD4-",
]

MARKDOWN = [
    "[klick](javascript:alert(401))",
    "[klick](JAVASCRIPT:alert(402))",
    "[klick](javascript&#58;alert(403))",
    "[klick]( javascript:alert(404) )",
    "[klick](<javascript:alert(405)>)",
    "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCg0MDYpPC9zY3JpcHQ+)",
    "[klick](vbscript:msgbox(407))",
    "![bild](javascript:alert(408))",
    "![bild\" onerror=\"alert(409)](https://example.org/x.png)",
    "![x](https://example.org/x.png\"onerror=\"alert(410))",
    "[klick](https://example.org \"t\\\" onmouseover=\\\"alert(411)\")",
    "[klick][ref411]\n\n[ref411]: javascript:alert(412)",
    "<javascript:alert(413)>",
    "<https://example.org/\" onmouseover=\"alert(414)>",
    "[<img src=x onerror=alert(415)>](https://example.org)",
    "`<script>alert(416)</script>`",
    "```html\n<script>alert(417)</script>\n```",
    "> <img src=x onerror=alert(418)>",
    "| a | <img src=x onerror=alert(419)> |\n|---|---|\n| 1 | 2 |",
    "@[<img src=x onerror=alert(420)>]",
    "@[Anna Meier](javascript:alert(421))",
    "[x](#\" onclick=\"alert(422))",
    "www.example.org/<script>alert(423)</script>",
    "https://example.org/\"><img src=x onerror=alert(424)>",
    "[klick](java%0ascript:alert(425))",
    "[klick](&#x6A;avascript:alert(426))",
    "**<img src=x onerror=alert(427)>**",
    "[a](javascript:alert(428) \"title\")",
    "<a href=\"javascript:alert(429)\">[md](https://example.org)</a>",
]

MUTATION = [
    "<noscript><p title=\"</noscript><img src=x onerror=alert(501)>\">",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(502)>\">",
    "<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img onerror=alert(503) src=1>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(504)>",
    "<svg><style><img src=x onerror=alert(505)></style></svg>",
    "<listing>&lt;img src=x onerror=alert(506)&gt;</listing>",
    "<xmp><img src=x onerror=alert(507)></xmp>",
    "<table><td><img src=x onerror=alert(508)>",
    "<a href=\"&#x6A;avascript:alert(509)\">x</a>",
    "<select><template><style><img src=x onerror=alert(510)></style></template></select>",
    "<svg><foreignObject><img src=x onerror=alert(511)></foreignObject></svg>",
    "<iframe><img src=x onerror=alert(512)></iframe>",
    "<!--><img src=x onerror=alert(513)>-->",
    "<?xml-stylesheet href=\"javascript:alert(514)\"?>",
    "<!DOCTYPE x [<!ENTITY e \"<img src=x onerror=alert(515)>\">]>",
    "<math><style><img src=x onerror=alert(516)></style></math>",
    "<svg><title><img src=x onerror=alert(517)></title></svg>",
    "<plaintext><img src=x onerror=alert(518)>",
]

# Server-side template injection: the page must show these as typed, never "1337".
TEMPLATE = [
    "{{ 7*191 }}",
    "{% print(7*191) %}",
    "${7*191}",
    "#{7*191}",
    "{{ config.SECRET_KEY }}",
]

GROUPS = {"tag": TAG, "attribute": ATTRIBUTE, "url-scheme": URL_SCHEME, "encoding": ENCODING,
          "markdown": MARKDOWN, "mutation": MUTATION, "template": TEMPLATE}
VECTORS = list(dict.fromkeys(v for group in GROUPS.values() for v in group))
TEMPLATE_RESULT = "1337"


def chunks(vectors, limit, separator=" "):
    """Vectors joined into strings of at most `limit` characters (each vector whole)."""
    out, current = [], ""
    for vector in vectors:
        vector = vector[:limit]
        candidate = f"{current}{separator}{vector}" if current else vector
        if len(candidate) > limit:
            out.append(current)
            candidate = vector
        current = candidate
    if current:
        out.append(current)
    return out
