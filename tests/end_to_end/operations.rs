//! Every operation of the spec, read from the spec: each named example of an answer has its
//! request (a path parameter example of the same name), and the stub server answers that
//! request with the example, with the one token that reads every account. A new operation is
//! covered here without being listed, and one whose examples do not pair fails by name.

use authapi::*;

#[test]
fn every_answer_example_has_its_request_example() {
    let unpaired: Vec<String> = operations()
        .iter()
        .flat_map(|op| {
            op.unpaired.iter().map(move |name| {
                format!(
                    "{}: the 200 example {name:?} has no path parameter example of that name",
                    op.id
                )
            })
        })
        .collect();
    assert!(unpaired.is_empty(), "{}", unpaired.join("\n"));
}

#[tokio::test]
async fn every_example_is_served_as_the_spec_shows_it() {
    let server = start().await;
    let http = reqwest::Client::new();
    let mut served = 0;
    for op in operations() {
        assert!(!op.examples.is_empty(), "{}: no paired examples", op.id);
        for example in &op.examples {
            let answer = http
                .get(format!("{}{}", server.url(), op.path(&example.id)))
                .bearer_auth(TOKEN_ALL)
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let body: serde_json::Value = answer.json().await.unwrap();
            assert_eq!(status, 200, "{} example {}: {body}", op.id, example.name);
            assert!(
                same_json(&body, &example.body),
                "{} example {}:\n served: {body}\n spec:   {}",
                op.id,
                example.name,
                example.body
            );
            served += 1;
        }
    }
    assert!(served >= 4, "only {served} examples served");
}
