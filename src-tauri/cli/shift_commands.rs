//! `paydesk shift open | close | list | report`: this desk's shifts and what each took.

use paydesk_core::app::{merchant, papers, shifts};
use paydesk_core::merchant::Zone;
use paydesk_core::shifts::{CurrencyTotals, NamedAttempt, Shift, ShiftReport};
use paydesk_core::store::Store;

use super::{Failure, ReportOutput, ShiftCommand};

pub(super) async fn run(store: &Store, command: ShiftCommand) -> Result<u8, Failure> {
    // Times as the merchant's calendar has them, like the days the reports count.
    let zone = merchant::zone(store).await?;
    match command {
        ShiftCommand::Open { json } => {
            // The command line's operator is the desk's, or the one --operator names.
            let shift = shifts::open(store, None).await?;
            if json {
                println!("{}", serde_json::to_string(&shift).expect("serializable"));
            } else {
                say!(
                    "shift {} opened at {} by {}",
                    shift.id,
                    shift.desk,
                    shift.opened_by
                );
            }
        }
        ShiftCommand::Close {
            acknowledge,
            acknowledge_all,
            json,
        } => {
            let report = shifts::close(store, &acknowledge, acknowledge_all).await?;
            print_report(&report, json, false, zone)?;
        }
        ShiftCommand::List { all_desks, json } => {
            let list = shifts::list(store, all_desks).await?;
            if json {
                println!("{}", serde_json::to_string(&list).expect("serializable"));
            } else {
                if list.is_empty() {
                    say!("no shift yet");
                }
                for shift in &list {
                    say!("{}", line(shift, zone));
                }
            }
        }
        ShiftCommand::Report {
            shift_id,
            output:
                ReportOutput {
                    pdf: Some(path),
                    lang,
                    ..
                },
        } => {
            let lang = super::paper_commands::language(lang.as_deref())?;
            let file = super::paper_commands::PdfFile::create(&path)?;
            let paper = papers::shift_report_paper(store, shift_id, lang).await?;
            file.write(&papers::pdf(paper).await?)?;
            say!("shift report written to {}", path.display());
        }
        ShiftCommand::Report {
            shift_id,
            output:
                ReportOutput {
                    json,
                    csv,
                    pdf: None,
                    ..
                },
        } => {
            let report = shifts::report(store, shift_id).await?;
            print_report(&report, json, csv, zone)?;
        }
    }
    Ok(0)
}

fn line(shift: &Shift, zone: Zone) -> String {
    let time = |ms: i64| zone.time(ms);
    let closed = match (&shift.closed_at, &shift.closed_by) {
        (Some(at), Some(by)) => format!("closed {} by {by}", time(*at)),
        _ => "open".to_string(),
    };
    format!(
        "{}\t{}\topened {} by {}\t{closed}",
        shift.id,
        shift.desk,
        time(shift.opened_at),
        shift.opened_by
    )
}

fn print_report(report: &ShiftReport, json: bool, csv: bool, zone: Zone) -> Result<(), Failure> {
    if json {
        println!("{}", serde_json::to_string(report).expect("serializable"));
        return Ok(());
    }
    if csv {
        return print_csv(report);
    }
    say!("{}", line(&report.shift, zone));
    if report.currencies.is_empty() {
        say!("no payment in this shift");
    }
    for c in &report.currencies {
        say!(
            "{}: taken in {}, paid out {}, deducted {}",
            c.currency,
            c.taken_in.amount,
            c.paid_out.amount,
            c.deducted.amount
        );
        for l in &c.lines {
            let split = l.split.as_ref().map_or(String::new(), |s| {
                format!(
                    " (balance {}, credit {})",
                    s.balance.amount, s.credit.amount
                )
            });
            say!(
                "  {:?}\t{}\t{}\t{}\t{} × {}{split}",
                l.direction,
                l.gateway,
                l.channel,
                l.state,
                l.count,
                l.charged.amount
            );
        }
    }
    for a in &report.open {
        let acknowledged = if a.acknowledged {
            " (acknowledged)"
        } else {
            ""
        };
        say!(
            "still open: attempt {} of order {} ({}){}{acknowledged}",
            a.attempt_id,
            a.order_no,
            a.state,
            sandbox_tag(a)
        );
    }
    for a in &report.settled_after_close {
        say!(
            "settled after close: attempt {} of order {} ({}){}",
            a.attempt_id,
            a.order_no,
            a.state,
            sandbox_tag(a)
        );
    }
    if report.sandbox_left_out > 0 {
        say!(
            "{} payments on sandbox profiles are not money and are left out",
            report.sandbox_left_out
        );
    }
    Ok(())
}

/// One row per total line, the currency's sums on each: for a spreadsheet, amounts as decimal
/// strings beside their minor units.
fn print_csv(report: &ShiftReport) -> Result<(), Failure> {
    let scope = report.shift.id.to_string();
    write_totals_csv("shift_id", [(scope.as_str(), &report.currencies[..])])
}

/// " [SANDBOX]" after a named payment on a sandbox profile: never money.
fn sandbox_tag(a: &NamedAttempt) -> &'static str {
    if a.sandbox {
        " [SANDBOX]"
    } else {
        ""
    }
}

/// Total lines as CSV on stdout, each led by what it is a total of (`first_column`).
pub(super) fn write_totals_csv<'a>(
    first_column: &str,
    scopes: impl IntoIterator<Item = (&'a str, &'a [CurrencyTotals])>,
) -> Result<(), Failure> {
    let failed = |e: csv::Error| Failure {
        code: 1,
        message: e.to_string(),
    };
    let mut writer = csv::Writer::from_writer(std::io::stdout());
    writer
        .write_record([
            first_column,
            "currency",
            "direction",
            "gateway",
            "channel",
            "state",
            "count",
            "charged",
            "charged_minor",
            "credit",
            "credit_minor",
        ])
        .map_err(failed)?;
    for (scope, currencies) in scopes {
        for c in currencies {
            for l in &c.lines {
                let direction = serde_json::to_value(l.direction).expect("serializable");
                writer
                    .write_record([
                        scope.to_string(),
                        c.currency.clone(),
                        direction.as_str().unwrap_or_default().to_string(),
                        l.gateway.clone(),
                        l.channel.clone(),
                        l.state.as_str().to_string(),
                        l.count.to_string(),
                        l.charged.amount.clone(),
                        l.charged.amount_minor.to_string(),
                        // Empty where no payment of the line split its amount with credit.
                        l.split
                            .as_ref()
                            .map_or(String::new(), |s| s.credit.amount.clone()),
                        l.split
                            .as_ref()
                            .map_or(String::new(), |s| s.credit.amount_minor.to_string()),
                    ])
                    .map_err(failed)?;
            }
        }
    }
    writer.flush().map_err(|e| Failure {
        code: 1,
        message: e.to_string(),
    })
}
