//! The words of the customer's status page, in both languages.

use bayline_proto::Language;

/// The customer's status page (contract §7.5): words a car owner reads on a phone.
pub struct CustomerWords {
    pub title: &'static str,
    /// The step bar: 接车 → 维修 → 质检 → 洗车 → 可取车.
    pub steps: [&'static str; 5],
    pub progress: &'static str,
    pub expected: &'static str,
    pub waiting_parts: &'static str,
    pub waiting_you: &'static str,
    pub ready: &'static str,
    pub delivered: &'static str,
    pub advisor: &'static str,
    /// The approval request: its heading, the buttons, an item's state once answered.
    pub extra_work: &'static str,
    pub hours: &'static str,
    pub price: &'static str,
    pub photo: &'static str,
    pub approve: &'static str,
    pub decline: &'static str,
    pub approved: &'static str,
    pub declined: &'static str,
    pub thanks: &'static str,
    /// What every wrong, expired or revoked link shows, the same for each.
    pub invalid: &'static str,
    pub invalid_hint: &'static str,
    /// The advisor's view: the link for the customer, its button, the QR hint.
    pub customer_link: &'static str,
    pub make_link: &'static str,
    pub link_hint: &'static str,
    pub too_many: &'static str,
    /// The language switch, naming the other language in itself.
    pub other_language: &'static str,
}

static CUSTOMER_ZH: CustomerWords = CustomerWords {
    title: "车辆维修进度",
    steps: ["接车", "维修", "质检", "洗车", "可取车"],
    progress: "进度",
    expected: "预计完工",
    waiting_parts: "等待配件",
    waiting_you: "等待您确认增项",
    ready: "您的车已可取",
    delivered: "已交车",
    advisor: "服务顾问",
    extra_work: "需要您确认的增项",
    hours: "工时",
    price: "价格",
    photo: "查看照片",
    approve: "同意",
    decline: "不需要",
    approved: "已同意",
    declined: "已拒绝",
    thanks: "谢谢，您的答复已转给服务顾问。",
    invalid: "此链接无效或已过期",
    invalid_hint: "请联系您的服务顾问获取新链接。",
    customer_link: "客户进度链接",
    make_link: "生成客户链接",
    link_hint: "请客户用手机扫码，或把链接发给客户。",
    too_many: "请求过于频繁，请稍后再试。",
    other_language: "English",
};

static CUSTOMER_EN: CustomerWords = CustomerWords {
    title: "Your car's progress",
    steps: ["Checked in", "Repair", "Inspection", "Wash", "Ready"],
    progress: "Progress",
    expected: "Expected",
    waiting_parts: "Waiting for parts",
    waiting_you: "Waiting for your approval",
    ready: "Your car is ready for pick-up",
    delivered: "Delivered",
    advisor: "Service advisor",
    extra_work: "Extra work for your approval",
    hours: "Hours",
    price: "Price",
    photo: "See photo",
    approve: "Approve",
    decline: "Decline",
    approved: "Approved",
    declined: "Declined",
    thanks: "Thank you, your advisor has your answer.",
    invalid: "This link is not valid or has expired",
    invalid_hint: "Please ask your service advisor for a new link.",
    customer_link: "Customer link",
    make_link: "Make a customer link",
    link_hint: "Let the customer scan this code, or send them the link.",
    too_many: "Too many requests, please try again shortly.",
    other_language: "中文",
};

pub fn customer_words(lang: Language) -> &'static CustomerWords {
    match lang {
        Language::Zh => &CUSTOMER_ZH,
        Language::En => &CUSTOMER_EN,
    }
}
