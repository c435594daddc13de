use super::*;
use proptest::prelude::*;

const NOW: &str = "2026-11-22T01:20:00Z";

fn now() -> Time {
    NOW.parse().unwrap()
}

fn hh() -> Id {
    Id::new("HH-01").unwrap()
}

fn scan(extra: &str) -> String {
    format!(r#"{{"v":1,"seq":42,"ts":"2026-11-22T09:15:03+08:00","badge":"T07"{extra}}}"#)
}

fn code_of(payload: &[u8]) -> Option<(RejectCode, String)> {
    decode(payload, &hh(), now()).result.err()
}

#[test]
fn the_contract_example_becomes_a_start_event() {
    let d = decode(
        scan(r#","action":"start","job":"RO-240117","op":"10","bay":"B03""#).as_bytes(),
        &hh(),
        now(),
    );
    assert_eq!(d.seq, Some(42));
    let e = d.result.unwrap();
    assert_eq!(e.key.seq, 42);
    assert_eq!(e.key.scanner.as_str(), "HH-01");
    assert_eq!(
        e.key.ts,
        "2026-11-22T01:15:03Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(e.badge.as_str(), "T07");
    assert!(matches!(e.kind, EventKind::Start { ref bay, .. } if bay.as_str() == "B03"));
}

#[test]
fn every_action_decodes_with_what_it_needs() {
    let cases = [
        (r#","action":"check_in","job":"J1""#, Action::CheckIn),
        (
            r#","action":"start","job":"J1","op":"10","bay":"B01""#,
            Action::Start,
        ),
        (
            r#","action":"pause","job":"J1","op":"10","reason":"parts""#,
            Action::Pause,
        ),
        (r#","action":"resume","job":"J1","op":"10""#, Action::Resume),
        (r#","action":"finish","job":"J1","op":"10""#, Action::Finish),
        (r#","action":"qc_pass","job":"J1""#, Action::QcPass),
        (
            r#","action":"qc_fail","job":"J1","reason":"brake squeal""#,
            Action::QcFail,
        ),
        (r#","action":"wash_start","job":"J1""#, Action::WashStart),
        (
            r#","action":"wash_done","job":"J1","bay":"W1""#,
            Action::WashDone,
        ),
        (r#","action":"ready","job":"J1""#, Action::Ready),
        (r#","action":"delivered","job":"J1""#, Action::Delivered),
        (r#","action":"shift_start""#, Action::ShiftStart),
        (r#","action":"shift_end""#, Action::ShiftEnd),
        (r#","action":"call","reason":"foreman""#, Action::Call),
        (
            r#","action":"call","reason":"qc","bay":"B01""#,
            Action::Call,
        ),
        (r#","action":"answer","bay":"B01""#, Action::Answer),
        (r#","action":"clear","bay":"B01""#, Action::Clear),
    ];
    for (extra, action) in cases {
        let e = decode(scan(extra).as_bytes(), &hh(), now())
            .result
            .unwrap_or_else(|e| panic!("{extra}: {e:?}"));
        assert_eq!(e.kind.action(), action);
    }
}

#[test]
fn each_reject_code_of_the_decoder() {
    let big = format!(
        r#"{{"v":1,"seq":1,"pad":"{}"}}"#,
        "x".repeat(MAX_SCAN_BYTES)
    );
    let cases: Vec<(Vec<u8>, RejectCode)> = vec![
        (big.into_bytes(), RejectCode::TooLarge),
        (b"{not json".to_vec(), RejectCode::BadPayload),
        (b"[1,2]".to_vec(), RejectCode::BadPayload),
        (vec![0xff, 0xfe, b'{'], RejectCode::BadPayload),
        (scan(r#","action":"start","job":"J 1","op":"10","bay":"B01""#).into_bytes(), RejectCode::BadPayload),
        (scan(r#","action":"pause","job":"J1","op":"10","reason":"lunch break""#).into_bytes(), RejectCode::BadPayload),
        (br#"{"v":1,"seq":-1,"ts":"2026-11-22T09:15:03+08:00","badge":"T07","action":"shift_start"}"#.to_vec(), RejectCode::BadPayload),
        (br#"{"v":2,"seq":1,"ts":"2026-11-22T09:15:03+08:00","badge":"T07","action":"shift_start"}"#.to_vec(), RejectCode::BadVersion),
        (scan(r#","action":"explode""#).into_bytes(), RejectCode::UnknownAction),
        (scan(r#","action":"start","job":"J1","op":"10""#).into_bytes(), RejectCode::MissingField),
        (br#"{"v":1,"ts":"2026-11-22T09:15:03+08:00","badge":"T07","action":"shift_start"}"#.to_vec(), RejectCode::MissingField),
        (scan(r#","action":"pause","job":"J1","op":"10""#).into_bytes(), RejectCode::MissingField),
        (br#"{"v":1,"seq":1,"ts":"2026-11-22T09:15:03","badge":"T07","action":"shift_start"}"#.to_vec(), RejectCode::BadTime),
        (br#"{"v":1,"seq":1,"ts":"2026-11-22T09:30:00+08:00","badge":"T07","action":"shift_start"}"#.to_vec(), RejectCode::BadTime),
        (br#"{"v":1,"seq":1,"ts":"2026-11-14T09:00:00+08:00","badge":"T07","action":"shift_start"}"#.to_vec(), RejectCode::BadTime),
    ];
    for (payload, want) in cases {
        let got = code_of(&payload).map(|(c, _)| c);
        assert_eq!(
            got,
            Some(want),
            "{}",
            String::from_utf8_lossy(&payload[..payload.len().min(80)])
        );
    }
}

#[test]
fn a_missing_field_is_named_in_the_detail() {
    let (_, detail) =
        code_of(scan(r#","action":"start","job":"J1","op":"10""#).as_bytes()).unwrap();
    assert_eq!(detail, "bay");
}

#[test]
fn the_seq_is_read_even_when_the_scan_is_rejected_so_repeats_match() {
    let d = decode(scan(r#","action":"explode""#).as_bytes(), &hh(), now());
    assert_eq!(d.seq, Some(42));
    assert!(d.canonical.is_some());
}

#[test]
fn canonical_text_ignores_key_order() {
    let a: Value = serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":3}}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"a":{"x":3,"y":2},"b":1}"#).unwrap();
    assert_eq!(canonical(&a), canonical(&b));
}

/// Found by the fuzzer (fuzz/artifacts/scan_decode/crash-b103…): without exact float parsing
/// the canonical text of `1844674407370.55164` was `…5518`, and `…5518` read back as `…552`,
/// so an outbox that re-serialises a scan with a float in it got `seq_conflict`, not a repeat.
#[test]
fn a_float_written_in_its_shortest_form_has_the_same_canonical_text() {
    let with = |x: &str| {
        let d = decode(
            scan(&format!(r#","action":"shift_start","battery":{x}"#)).as_bytes(),
            &hh(),
            now(),
        );
        d.canonical.unwrap()
    };
    let first = with("1844674407370.55164");
    assert!(first.contains("1844674407370.5518"), "{first}");
    assert_eq!(with("1844674407370.5518"), first);
    assert_eq!(with("0.1"), with("0.10000000000000000555"));
}

#[test]
fn unknown_fields_and_unused_fields_are_ignored() {
    let d = decode(
        scan(r#","action":"check_in","job":"J1","op":"not an id!","colour":"red""#).as_bytes(),
        &hh(),
        now(),
    );
    assert!(d.result.is_ok(), "{:?}", d.result);
}

#[test]
fn every_character_outside_the_id_rule_is_refused_in_every_id_field() {
    let others = ['é', '粤', 'Ｔ', '\u{200b}', '\u{2028}', '\u{feff}', '🔧'];
    for c in (0..=0x7f_u8).map(char::from).chain(others) {
        let allowed = c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        for field in ["badge", "job", "op", "bay"] {
            let mut v: Value = serde_json::from_str(&scan(
                r#","action":"start","job":"J1","op":"10","bay":"B01""#,
            ))
            .unwrap();
            v[field] = Value::String(format!("A{c}1"));
            let d = decode(v.to_string().as_bytes(), &hh(), now());
            match (&d.result, allowed) {
                (Ok(_), true) => {}
                (Err((RejectCode::BadPayload, detail)), false) => {
                    assert!(
                        detail.contains("id has the character"),
                        "{c:?} in {field}: {detail}"
                    )
                }
                (r, _) => panic!("{c:?} in {field}: {r:?}"),
            }
        }
    }
}

proptest! {
    #[test]
    fn the_decoder_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode(&bytes, &hh(), now());
    }

    #[test]
    fn the_decoder_never_panics_on_json_like_text(s in r#"\{("[a-z]{1,6}":("[^"]{0,12}"|[0-9-]{1,22}|null|true|\{\}|\[\]),?){0,9}\}"#) {
        let _ = decode(s.as_bytes(), &hh(), now());
    }
}

#[test]
fn a_call_needs_a_known_reason_and_answer_and_clear_need_a_bay() {
    let call = decode(
        scan(r#","action":"call","reason":"tools","job":"junk!","op":[1]"#).as_bytes(),
        &hh(),
        now(),
    )
    .result
    .unwrap();
    assert_eq!(
        call.kind,
        EventKind::Call {
            bay: None,
            reason: CallReason::Tools
        }
    );
    assert_eq!(
        code_of(scan(r#","action":"call""#).as_bytes()),
        Some((RejectCode::MissingField, "reason".into()))
    );
    assert!(matches!(
        code_of(scan(r#","action":"call","reason":"coffee""#).as_bytes()),
        Some((RejectCode::BadPayload, d)) if d.contains("foreman|parts|qc|tools|other")
    ));
    for action in ["answer", "clear"] {
        assert_eq!(
            code_of(scan(&format!(r#","action":"{action}""#)).as_bytes()),
            Some((RejectCode::MissingField, "bay".into()))
        );
    }
}

#[test]
fn a_pause_may_name_a_site_reason_by_id_which_the_site_checks_later() {
    let e = decode(
        scan(r#","action":"pause","job":"J1","op":"10","reason":"training""#).as_bytes(),
        &hh(),
        now(),
    )
    .result
    .unwrap();
    let EventKind::Pause { reason, .. } = e.kind else {
        panic!("not a pause: {:?}", e.kind);
    };
    assert_eq!(reason.name(), "training");
}
