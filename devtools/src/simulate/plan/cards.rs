//! What a job card is made of: vehicles, plates, customers and labour lines a Chinese 4S
//! dealer sees every day, and the seeded random numbers that pick among them.

use bayline_proto::Language;

/// xorshift64*: deterministic from the seed on every platform, which `rand`'s `StdRng` does
/// not promise across versions; a plan must be the same plan next year.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`, stirred with `stream` so each day gets its own sequence.
    pub fn new(seed: u64, stream: u64) -> Rng {
        // splitmix64 of the pair: neighbouring seeds give unrelated sequences, never zero.
        let mut z = seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[lo, hi]`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next_u64() % span).unwrap_or(0)
    }

    /// True with probability `p` (0..=1).
    pub fn chance(&mut self, p: f64) -> bool {
        // 53 random bits make a uniform f64 in [0, 1).
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let n = u64::try_from(items.len()).unwrap_or(1).max(1);
        &items[usize::try_from(self.next_u64() % n).unwrap_or(0)]
    }
}

/// A labour line: titles in both languages and its range of standard hours (tenths).
pub struct Labour {
    pub zh: &'static str,
    pub en: &'static str,
    pub std_tenths: (i64, i64),
}

/// Labour lines with flat-rate times in the range a dealer's labour guide gives them.
pub const LABOUR: &[Labour] = &[
    Labour {
        zh: "更换机油及机滤",
        en: "Oil and filter change",
        std_tenths: (3, 5),
    },
    Labour {
        zh: "常规保养检查",
        en: "Service inspection",
        std_tenths: (4, 8),
    },
    Labour {
        zh: "更换蓄电池",
        en: "Replace battery",
        std_tenths: (3, 4),
    },
    Labour {
        zh: "四轮定位",
        en: "Wheel alignment",
        std_tenths: (8, 12),
    },
    Labour {
        zh: "更换前刹车片",
        en: "Front brake pads",
        std_tenths: (10, 15),
    },
    Labour {
        zh: "更换刹车盘",
        en: "Brake discs",
        std_tenths: (12, 18),
    },
    Labour {
        zh: "空调系统检修",
        en: "A/C system service",
        std_tenths: (10, 20),
    },
    Labour {
        zh: "发动机故障诊断",
        en: "Engine diagnosis",
        std_tenths: (5, 15),
    },
    Labour {
        zh: "更换减震器",
        en: "Replace shock absorbers",
        std_tenths: (15, 25),
    },
    Labour {
        zh: "更换变速箱油",
        en: "Gearbox oil change",
        std_tenths: (6, 10),
    },
    Labour {
        zh: "更换正时皮带",
        en: "Timing belt",
        std_tenths: (20, 30),
    },
    Labour {
        zh: "钣金修复",
        en: "Panel repair",
        std_tenths: (15, 30),
    },
    Labour {
        zh: "单面喷漆",
        en: "Paint one panel",
        std_tenths: (20, 30),
    },
    Labour {
        zh: "更换雨刮及灯泡",
        en: "Wipers and bulbs",
        std_tenths: (3, 4),
    },
];

impl Labour {
    pub fn title(&self, language: Language) -> &'static str {
        match language {
            Language::Zh => self.zh,
            Language::En => self.en,
        }
    }
}

/// Cars in a southern-Chinese dealer's workshop: joint-venture and domestic brands, EVs.
pub const VEHICLES: &[&str] = &[
    "丰田 凯美瑞",
    "Toyota Corolla",
    "本田 雅阁",
    "Honda CR-V",
    "大众 帕萨特",
    "Volkswagen Tiguan L",
    "日产 轩逸",
    "比亚迪 汉 EV",
    "BYD Song PLUS DM-i",
    "吉利 星越L",
    "别克 GL8",
    "宝马 3系",
    "Mercedes-Benz C 260 L",
    "奥迪 A4L",
    "Tesla Model 3",
    "长安 CS75 PLUS",
    "理想 L7",
    "Mazda CX-5",
];

/// Plate prefixes: mostly the dealer's own city (Shenzhen, 粤B), some neighbours and visitors.
const PLATE_PREFIXES: &[&str] = &[
    "粤B", "粤B", "粤B", "粤B", "粤A", "粤S", "粤E", "湘A", "赣B", "京N", "沪A",
];
/// Plate serials use digits and the letters allowed on Chinese plates (no I or O).
const PLATE_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

pub fn plate(rng: &mut Rng) -> String {
    let mut plate = (*rng.pick(PLATE_PREFIXES)).to_string();
    for i in 0..5 {
        // Mostly digits: a letter in the serial is the exception, and never two.
        let c = if i == 0 && rng.chance(0.2) {
            *rng.pick(&PLATE_CHARS[10..])
        } else {
            *rng.pick(&PLATE_CHARS[..10])
        };
        plate.push(char::from(c));
    }
    plate
}

const SURNAMES: &[&str] = &[
    "张", "王", "李", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰",
];

pub fn customer(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// The service the card is opened for, from its first labour line.
pub fn service(first: &Labour, language: Language) -> &'static str {
    let body = first.en.contains("Panel") || first.en.contains("Paint");
    let maintenance = first.std_tenths.1 <= 8;
    match (language, body, maintenance) {
        (Language::Zh, true, _) => "钣喷",
        (Language::Zh, false, true) => "保养",
        (Language::Zh, false, false) => "维修",
        (Language::En, true, _) => "Body and paint",
        (Language::En, false, true) => "Maintenance",
        (Language::En, false, false) => "Repair",
    }
}

/// What an inspector writes when a job fails QC.
pub fn qc_note(language: Language, rng: &mut Rng) -> &'static str {
    const ZH: &[&str] = &[
        "刹车异响未消除",
        "螺栓扭矩未复检",
        "漏油未处理干净",
        "故障灯仍亮",
    ];
    const EN: &[&str] = &[
        "brake noise still there",
        "bolt torque not rechecked",
        "oil leak not cleaned up",
        "warning light still on",
    ];
    let notes = match language {
        Language::Zh => ZH,
        Language::En => EN,
    };
    let note: &&'static str = rng.pick(notes);
    note
}
