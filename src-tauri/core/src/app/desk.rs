//! Who is at this desk: the desk's name (it belongs to the data directory, so two desks may
//! share one machine) and the operator working it. Each is, first to last: what this run was
//! given (`--desk`/`--operator`, `PAYDESK_DESK`/`PAYDESK_OPERATOR`), what Settings saved, the
//! machine's host name and the OS user.

use crate::domain::Actor;
use crate::store::Store;

use paydesk_gateways::invalid::{Field, Rule};
use paydesk_gateways::Invalid;

use super::Result;

const DESK: &str = "desk";
const OPERATOR: &str = "operator";

/// Names given for this run or to be saved; none leaves the next source to say.
#[derive(Debug, Clone, Default)]
pub struct DeskNames {
    pub desk: Option<String>,
    pub operator: Option<String>,
}

/// The rule for a desk's and an operator's name: 1 to 64 characters without spaces around
/// them and no control characters (they are printed on receipts, exports and reports).
pub fn check_name(what: Field, name: &str) -> Result<String> {
    let name = name.trim();
    let chars = name.chars().count();
    let rule = if chars == 0 {
        Rule::Blank
    } else if chars > 64 {
        Rule::TooLong { max: 64 }
    } else if name.chars().any(char::is_control) {
        Rule::ControlCharacters
    } else {
        return Ok(name.to_string());
    };
    Err(Invalid::new(what, rule).into())
}

fn given(what: Field, name: Option<String>) -> Result<Option<String>> {
    name.map(|n| check_name(what.clone(), &n)).transpose()
}

fn host_name() -> String {
    whoami::fallible::hostname().unwrap_or_else(|_| "desk".into())
}

fn os_user() -> String {
    whoami::fallible::username().unwrap_or_else(|_| "operator".into())
}

/// Works out who is at this desk and records every write from now on as theirs.
pub async fn identify(store: &Store, names: DeskNames) -> Result<Actor> {
    let desk = match given(Field::DeskName, names.desk)? {
        Some(desk) => desk,
        None => store.desk_setting(DESK).await?.unwrap_or_else(host_name),
    };
    let operator = match given(Field::OperatorName, names.operator)? {
        Some(operator) => operator,
        None => store.desk_setting(OPERATOR).await?.unwrap_or_else(os_user),
    };
    let actor = Actor { desk, operator };
    store.set_actor(actor.clone());
    Ok(actor)
}

/// Makes `operator` this desk's operator (saved, and in force at once), its desk name kept.
pub async fn set_operator(store: &Store, operator: &str) -> Result<Actor> {
    let operator = check_name(Field::OperatorName, operator)?;
    store.set_desk_setting(OPERATOR, Some(&operator)).await?;
    identify(store, DeskNames::default()).await
}

/// Saves the names Settings gives (a blank one goes back to its default) and works from them
/// at once.
pub async fn save(store: &Store, names: DeskNames) -> Result<Actor> {
    let blank_is_none = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let desk = given(Field::DeskName, blank_is_none(names.desk))?;
    let operator = given(Field::OperatorName, blank_is_none(names.operator))?;
    store.set_desk_setting(DESK, desk.as_deref()).await?;
    store
        .set_desk_setting(OPERATOR, operator.as_deref())
        .await?;
    identify(store, DeskNames::default()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;

    #[tokio::test]
    async fn a_name_given_wins_then_the_saved_one_then_the_machine() {
        let (_dir, store) = temp_store().await;
        let defaulted = identify(&store, DeskNames::default()).await.unwrap();
        assert_eq!(
            defaulted,
            Actor {
                desk: host_name(),
                operator: os_user()
            }
        );
        let saved = save(
            &store,
            DeskNames {
                desk: Some(" 前台 1 ".into()),
                operator: Some("Li Wei".into()),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (saved.desk.as_str(), saved.operator.as_str()),
            ("前台 1", "Li Wei")
        );
        assert_eq!(store.actor(), saved);
        let given = identify(
            &store,
            DeskNames {
                desk: None,
                operator: Some("Zhang".into()),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (given.desk.as_str(), given.operator.as_str()),
            ("前台 1", "Zhang")
        );
        let back = save(&store, DeskNames::default()).await.unwrap();
        assert_eq!(back, defaulted, "blank names go back to the defaults");
    }

    #[test]
    fn names_are_refused_empty_overlong_or_with_control_characters() {
        for bad in ["", "   ", "a\nb", "tab\there", &"x".repeat(65)] {
            assert!(check_name(Field::DeskName, bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_name(Field::DeskName, " Desk 2 ").unwrap(), "Desk 2");
    }
}
