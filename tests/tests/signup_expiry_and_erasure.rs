//! Attacks on sign-up expiry, slug and brand-name rules, and customer erasure: a squatted
//! tombstone name cannot stop expiry, one failing claim holds back no other, punycode and
//! look-alike names are refused, and erasure leaves no email of the shopper behind.

use shoal_e2e::*;

fn post(host: &str, path: &str, body: Value) -> Reply {
    let ip = fresh_ip();
    send("POST", host, path, &[("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")], Some(body.to_string()))
}

fn signup_named(name: &str, slug: &str, email: &str) -> Reply {
    post("localhost", "/api/v1/auth/signup", json!({"brand_name": name, "slug": slug, "email": email, "password": "Fresh-Start-42"}))
}

fn signup(slug: &str, email: &str) -> Reply {
    signup_named("Fresh Shop", slug, email)
}

/// A pending sign-up of its own: (slug, email, brand id).
fn pending(prefix: &str) -> (String, String, String) {
    let slug = unique(prefix).chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    let r = signup(&slug, &email);
    assert_eq!(r.status, 201, "{}", r.body);
    (slug, email.clone(), r.json()["brand_id"].as_str().unwrap_or_default().to_owned())
}

fn backdate(brand: &str) {
    sql(&format!("update signup_claims set created_at = now() - interval '49 hours' where brand_id = '{brand}'"));
}

/// Fires the cron trigger (wrangler dev --test-scheduled), as Cloudflare would.
fn run_cron() {
    let r = get("127.0.0.1", "/__scheduled?cron=*/5+*+*+*+*");
    assert!(r.status < 500, "{}", r.body);
}

fn expired(brand: &str) -> bool {
    count(&format!(
        "select count(*) from brands b where b.id = '{brand}' and b.status = 'suspended'
            and b.slug = 'expired-' || replace(b.id::text, '-', '')
            and not exists (select 1 from signup_claims c where c.brand_id = b.id)
            and not exists (select 1 from brand_domains d where d.brand_id = b.id)"
    )) == 1
}

#[test]
fn the_name_an_expired_sign_up_is_given_cannot_be_taken_first() {
    let (slug, email, brand) = pending("victim");
    let tombstone = format!("expired-{}", brand.replace('-', ""));
    assert_eq!(tombstone.len(), 40, "a slug of the longest length allowed");
    let squatter = format!("{}@example.com", unique("squat"));
    let squat = signup(&tombstone, &squatter);
    assert_eq!((squat.status, squat.error_code().as_str()), (422, "reserved_slug"), "{}", squat.body);
    assert_eq!(count(&format!("select count(*) from brands where slug = '{tombstone}'")), 0);
    assert_eq!(count(&format!("select count(*) from accounts where email = '{squatter}'")), 0);
    // the prefix as a whole is the platform's, and a direct insert is refused by the database too
    let other = signup("expired-shop", &squatter);
    assert_eq!((other.status, other.error_code().as_str()), (422, "reserved_slug"), "{}", other.body);
    sql(&format!(
        "do $$ begin
           insert into brands (slug, name, currency) values ('{tombstone}', 'Squat', 'USD');
           raise exception 'a tombstone name was taken';
         exception when check_violation then null; end $$"
    ));
    assert_eq!(count(&format!("select count(*) from brands where slug = '{tombstone}'")), 0);

    backdate(&brand);
    run_cron();
    assert!(expired(&brand), "the victim's sign-up expired under its tombstone name");
    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}'")), 0);
    assert_eq!(signup(&slug, &email).status, 201, "its slug and email are free again");
}

/// Makes every update of one brand fail while it lives (a trigger of the test's own), so
/// the release of that brand's claim fails inside `expire_unverified_signups`.
struct FailingBrand {
    name: String,
}

impl FailingBrand {
    fn new(brand: &str) -> Self {
        let name = unique("e2e_fail_brand_");
        sql(&format!(
            "create function public.{name}() returns trigger language plpgsql as $f$
               begin raise exception 'forced failure of one claim'; end $f$;
             create trigger {name} before update on public.brands for each row
               when (old.id = '{brand}') execute function public.{name}();"
        ));
        FailingBrand { name }
    }
}

impl Drop for FailingBrand {
    fn drop(&mut self) {
        let n = &self.name;
        sql(&format!("drop trigger if exists {n} on public.brands; drop function if exists public.{n}();"));
    }
}

#[test]
fn one_sign_up_that_cannot_expire_holds_back_no_other() {
    let (stuck_slug, stuck_email, stuck) = pending("stuck");
    let (_, freed_email, freed) = pending("freed");
    backdate(&stuck);
    backdate(&freed);
    // the stuck claim is older, so the run meets it first
    sql(&format!("update signup_claims set created_at = now() - interval '50 hours' where brand_id = '{stuck}'"));
    {
        let _failing = FailingBrand::new(&stuck);
        run_cron();
        assert!(expired(&freed), "the other sign-up expired");
        assert_eq!(count(&format!("select count(*) from accounts where email = '{freed_email}'")), 0);
        // the stuck one is rolled back whole and waits for the next run
        assert_eq!(
            count(&format!(
                "select count(*) from brands b join signup_claims c on c.brand_id = b.id join brand_domains d on d.brand_id = b.id
              join memberships m on m.brand_id = b.id
              where b.id = '{stuck}' and b.slug = '{stuck_slug}' and b.status = 'active'"
            )),
            1
        );
        assert_eq!(count(&format!("select count(*) from accounts where email = '{stuck_email}'")), 1);
        assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{stuck}' and action = 'signup_expired'")), 0);
    }
    run_cron();
    assert!(expired(&stuck), "released by the next run once it can be");
}

#[test]
fn punycode_and_other_idna_labels_are_refused_as_slugs() {
    // "shоal" and "аdmin" with Cyrillic letters, and other labels browsers show as Unicode
    for slug in ["xn--shal-65d", "xn--80a1a6d2ujd", "xn--dmin-43d", "xn--07aaa", "ab--cd"] {
        let email = format!("{}@example.com", unique("puny"));
        let r = signup(slug, &email);
        assert_eq!((r.status, r.error_code().as_str()), (422, "reserved_slug"), "{slug}: {}", r.body);
        assert_eq!(count(&format!("select count(*) from brands where slug = '{slug}'")), 0);
        assert_eq!(count(&format!("select count(*) from accounts where email = '{email}'")), 0);
        // no shop there (`ab--cd.localhost` is not even a valid host name to the worker)
        let served = get(&format!("{slug}.localhost"), "/api/v1/store/brand");
        assert!(matches!(served.status, 400 | 404), "{slug}: {}", served.body);
    }
    // the database has the same rule, for every name the worker refuses here
    let names = ["xn--shal-65d", "xn--80a1a6d2ujd", "xn--dmin-43d", "xn--07aaa", "ab--cd", "expired-x", "expired-shop"];
    for n in names {
        assert!(shoal_domain::slug::is_reserved(n), "{n}");
    }
    let list = names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(",");
    assert_eq!(count(&format!("select count(*) from unnest(array[{list}]) s where not shoal_private.slug_is_reserved(s)")), 0);
    assert_eq!(
        count("select count(*) from unnest(array['a--b', 'abc--d', 'xn-a', 'expiredx']) s where shoal_private.slug_is_reserved(s)"),
        0
    );
}

#[test]
fn brand_names_that_read_as_the_platform_are_refused() {
    for name in ["Shoal Support", "SHOAL", "Sh0al Store", "Sh\u{043e}al", "S.H.O.A.L. Billing", "\u{FF33}hoal"] {
        let slug = unique("named").chars().take(30).collect::<String>();
        let email = format!("{slug}@example.com");
        let r = signup_named(name, &slug, &email);
        assert_eq!((r.status, r.error_code().as_str()), (422, "reserved_brand_name"), "{name}: {}", r.body);
        assert_eq!(count(&format!("select count(*) from brands where slug = '{slug}'")), 0);
        assert_eq!(count(&format!("select count(*) from accounts where email = '{email}'")), 0);
    }
    let slug = unique("named").chars().take(30).collect::<String>();
    let ok = signup_named("Shoe All", &slug, &format!("{slug}@example.com"));
    assert_eq!(ok.status, 201, "{}", ok.body);
}

#[test]
fn erasure_deletes_the_brands_sent_and_dead_emails_to_the_address_and_no_others() {
    let mine = signed_up_owner("erase");
    let theirs = signed_up_owner("keep");
    let shopper = format!("{}@example.com", unique("shopper"));
    let payload = json!({"order_number": 1001, "email": shopper, "name": "Ada Shopper"}).to_string();
    let outbox = |brand: &str, status: &str| {
        sql(&format!(
            "insert into email_outbox (brand_id, to_email, template, payload, status, sent_at)
             values ({brand}, '{shopper}', 'order_confirmation', '{payload}', '{status}', case when '{status}' = 'sent' then now() end)"
        ));
    };
    for status in ["pending", "sent", "dead"] {
        outbox(&format!("'{}'", mine.brand_id), status);
    }
    outbox(&format!("'{}'", theirs.brand_id), "sent");
    outbox(&format!("'{}'", theirs.brand_id), "pending");
    outbox("null", "sent");
    let others_before = sql(&format!(
        "select string_agg(to_email || status || payload::text, ',' order by status) from email_outbox
          where to_email = '{shopper}' and brand_id is distinct from '{}'",
        mine.brand_id
    ));

    let auth = format!("Bearer {}", mine.token);
    let r = send(
        "POST",
        &mine.host,
        "/api/v1/admin/customers/erase",
        &[("authorization", &auth), ("content-type", "application/json")],
        Some(json!({"email": shopper.to_uppercase()}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.json()["emails_dropped"].as_i64(), r.json()["sent_emails_deleted"].as_i64()), (Some(1), Some(2)), "{}", r.body);
    assert_eq!(
        count(&format!(
            "select count(*) from email_outbox where brand_id = '{}' and (to_email ilike '{shopper}' or payload::text ilike '%{shopper}%')",
            mine.brand_id
        )),
        0,
        "nothing of this brand names the shopper"
    );
    assert_eq!(
        count(&format!(
            "select count(*) from audit_log where brand_id = '{}' and action = 'data_delete'
                                and (detail->>'sent_emails_deleted')::int = 2",
            mine.brand_id
        )),
        1
    );
    let others_after = sql(&format!(
        "select string_agg(to_email || status || payload::text, ',' order by status) from email_outbox
          where to_email = '{shopper}' and brand_id is distinct from '{}'",
        mine.brand_id
    ));
    assert_eq!(others_after, others_before, "another brand's and the platform's emails are untouched");
    assert_eq!(count(&format!("select count(*) from email_outbox where to_email = '{shopper}'")), 3);
}
