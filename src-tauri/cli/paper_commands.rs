//! `paydesk receipt`, `day report`, `merchant show | set`, and `shift report --pdf`: pages
//! written as PDF files, the day's report across desks, and the merchant's settings.

use std::path::Path;

use paydesk_core::app::{merchant, papers};
use paydesk_core::merchant::Merchant;
use paydesk_core::store::Store;
use paydesk_core::words::Lang;

use super::{bad_input, DayCommand, Failure, MerchantCommand, ReportOutput};

/// The language asked for, else the environment's (`LANG=zh_CN.UTF-8` → 简体中文), else English.
pub(super) fn language(asked: Option<&str>) -> Result<Lang, Failure> {
    match asked {
        Some(tag) => {
            Lang::parse(tag).ok_or_else(|| bad_input(format!("--lang {tag:?} must be zh-CN or en")))
        }
        None => Ok(std::env::var("LANG")
            .ok()
            .and_then(|l| Lang::parse(&l.replace('_', "-")))
            .unwrap_or_default()),
    }
}

/// A file the PDF will be written to, made before any work so a path that cannot be written
/// refuses with nothing done; removed again if the PDF is not written.
pub(super) struct PdfFile<'a> {
    path: &'a Path,
    file: Option<std::fs::File>,
}

impl<'a> PdfFile<'a> {
    pub(super) fn create(path: &'a Path) -> Result<PdfFile<'a>, Failure> {
        let file = std::fs::File::create(path)
            .map_err(|e| bad_input(format!("cannot write {}: {e}", path.display())))?;
        Ok(PdfFile {
            path,
            file: Some(file),
        })
    }

    pub(super) fn write(mut self, bytes: &[u8]) -> Result<(), Failure> {
        use std::io::Write;
        let mut file = self.file.take().expect("written once");
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| Failure {
                code: 1,
                message: format!("cannot write {}: {e}", self.path.display()),
            })?;
        Ok(())
    }
}

impl Drop for PdfFile<'_> {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(self.path);
        }
    }
}

pub(super) async fn receipt(
    store: &Store,
    order_no: &str,
    pdf: &Path,
    lang: Option<&str>,
) -> Result<u8, Failure> {
    let lang = language(lang)?;
    let file = PdfFile::create(pdf)?;
    let (receipt, bytes) = papers::receipt_pdf(store, order_no, lang).await?;
    file.write(&bytes)?;
    let copy = if receipt.copy { " (a copy)" } else { "" };
    say!(
        "receipt of order {order_no} written to {}{copy}",
        pdf.display()
    );
    Ok(0)
}

pub(super) async fn day(store: &Store, command: DayCommand) -> Result<u8, Failure> {
    let DayCommand::Report {
        date,
        output:
            ReportOutput {
                json,
                csv,
                pdf,
                lang,
            },
    } = command;
    if let Some(path) = pdf {
        let lang = language(lang.as_deref())?;
        let file = PdfFile::create(&path)?;
        let paper = papers::day_report_paper(store, date.as_deref(), lang).await?;
        file.write(&papers::pdf(paper).await?)?;
        say!("day report written to {}", path.display());
        return Ok(0);
    }
    let report = papers::day_report(store, date.as_deref()).await?;
    if json {
        println!("{}", serde_json::to_string(&report).expect("serializable"));
        return Ok(0);
    }
    if csv {
        // Each line once per total it is part of: the merchant's, its desk's, its shift's or
        // outside any shift.
        let desks: Vec<(String, _)> = report
            .desks
            .iter()
            .map(|d| (format!("desk:{}", d.desk), &d.totals.currencies[..]))
            .collect();
        let shifts: Vec<(String, _)> = report
            .shifts
            .iter()
            .map(|s| (format!("shift:{}", s.shift.id), &s.totals.currencies[..]))
            .collect();
        let scopes = std::iter::once(("all", &report.totals.currencies[..]))
            .chain(desks.iter().map(|(name, c)| (name.as_str(), *c)))
            .chain(shifts.iter().map(|(name, c)| (name.as_str(), *c)))
            .chain(std::iter::once((
                "outside_shifts",
                &report.outside_shifts.currencies[..],
            )));
        super::shift_commands::write_totals_csv("total_of", scopes)?;
        return Ok(0);
    }
    say!("{} ({})", report.day.date, report.time_zone);
    let print_totals = |name: &str, totals: &paydesk_core::shifts::Totals| {
        say!("{name}: {} payments", totals.attempts);
        for c in &totals.currencies {
            say!(
                "  {}: taken in {}, paid out {}, deducted {}",
                c.currency,
                c.taken_in.amount,
                c.paid_out.amount,
                c.deducted.amount
            );
        }
        if totals.sandbox_left_out > 0 {
            say!(
                "  {} payments on sandbox profiles are not money and are left out",
                totals.sandbox_left_out
            );
        }
    };
    print_totals("all desks", &report.totals);
    for desk in &report.desks {
        print_totals(&format!("desk {}", desk.desk), &desk.totals);
    }
    for shift in &report.shifts {
        print_totals(
            &format!("shift {} ({})", shift.shift.id, shift.shift.desk),
            &shift.totals,
        );
    }
    print_totals("outside any shift", &report.outside_shifts);
    for a in &report.open {
        say!(
            "still open: attempt {} of order {} ({})",
            a.attempt_id,
            a.order_no,
            a.state
        );
    }
    Ok(0)
}

pub(super) async fn merchant(store: &Store, command: MerchantCommand) -> Result<u8, Failure> {
    let view = match command {
        MerchantCommand::Show { json } => {
            let view = merchant::show(store).await?;
            if json {
                println!("{}", serde_json::to_string(&view).expect("serializable"));
                return Ok(0);
            }
            view
        }
        MerchantCommand::Set {
            name,
            address,
            time_zone,
            system_time_zone,
        } => {
            let kept = store
                .merchant()
                .await
                .map_err(|e| Failure::from(paydesk_core::app::AppError::from(e)))?;
            let settings = Merchant {
                name: name.unwrap_or(kept.name),
                address: address.unwrap_or(kept.address),
                time_zone: match system_time_zone {
                    true => None,
                    false => time_zone.or(kept.time_zone),
                },
            };
            merchant::set(store, settings).await?
        }
    };
    say!("name: {}", view.settings.name);
    say!("address: {}", view.settings.address.replace('\n', " / "));
    let whose = match view.settings.time_zone {
        Some(_) => "",
        None => " (this desk's system time zone)",
    };
    say!("time zone: {}{whose}", view.time_zone);
    Ok(0)
}
