"""The report page as a reader sees it: rendered in headless Chromium, from a store whose
runs are written here (no training), so the page's layout is tested on its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _grid_store(folder: Path, seeds=(0, 1, 2), smoke: bool = False) -> str:
    """A store with one grid: cnn, lr x gan, none x ``seeds``, with predictions, reliability
    tables, the cnn + gan cell's losses, tags and row counts as a cell logs them."""
    import mlflow

    uri = f"sqlite:///{folder / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("bond-default")
    parent = client.create_run(experiment, run_name="sweep test/grid",
                               tags={"kind": "multirun"}).info.run_id
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(20), np.zeros(480)].astype(int)
    for classifier in ("cnn", "lr"):
        for sampler in ("gan", "none"):
            for seed in seeds:
                overrides = f"classifier={classifier} sampler={sampler} seed={seed}"
                run = client.create_run(experiment, run_name=f"{classifier}-{sampler}-s{seed}",
                                        tags={"mlflow.parentRunId": parent,
                                              "classifier": classifier, "sampler": sampler,
                                              "seed": str(seed), "dataset": "synthetic",
                                              "debug": "smoke" if smoke else "none",
                                              "overrides": overrides + (" debug=smoke"
                                                                        if smoke else "")})
                rid = run.info.run_id
                signal = 1.5 if classifier == "lr" else 0.8
                scores = 1 / (1 + np.exp(-(signal * y + rng.normal(0, 1, len(y)) - 3)))
                frame = pd.DataFrame({"row": np.arange(len(y)), "y_true": y, "score": scores})
                client.log_text(rid, frame.to_csv(index=False), "predictions.csv")
                client.log_text(rid, pd.DataFrame({
                    "bin": [1, 2], "rows": [250, 250], "mean_predicted_pd": [0.02, 0.1],
                    "observed_default_rate": [0.01, 0.07]}).to_csv(index=False),
                    "calibration/reliability.csv")
                from sklearn.metrics import roc_auc_score

                metrics = {"test_roc_auc": roc_auc_score(y, scores), "test_pr_auc": 0.2,
                           "test_recall": 0.5, "test_precision": 0.3, "test_f1": 0.37,
                           "test_balanced_accuracy": 0.7, "test_ece": 0.01, "n_rows": 1666,
                           "n_train": 1166, "n_train_defaulted": 47, "n_test": 500,
                           "n_test_defaulted": 20, "n_fit": 600, "n_fit_defaulted": 55,
                           "test_tp": 10, "test_fp": 20, "test_fn": 10, "test_tn": 460}
                if sampler == "gan":
                    metrics |= {"sampler_c2st_auc": 0.9, "sampler_ks_mean": 0.2,
                                "sampler_memorized_share": 0.4, "sampler_spread_ratio": 0.8,
                                "sampler_year_consistency": 1.0}
                for key, value in metrics.items():
                    client.log_metric(rid, key, float(value))
                if (classifier, sampler) == ("cnn", "gan"):
                    for epoch in range(1, 4):
                        client.log_metric(rid, "classifier_train_loss", 1 / epoch, step=epoch)
                        client.log_metric(rid, "oversample_generator_loss", 0.7, step=epoch)
                        client.log_metric(rid, "oversample_discriminator_loss", 0.6,
                                          step=epoch)
                client.log_param(rid, "trainer.max_epochs", "1" if smoke else "100")
                client.set_terminated(rid, "FINISHED")
    client.set_terminated(parent, "FINISHED")
    return uri


def test_a_three_seed_report_has_intervals_delong_provenance_and_no_smoke_warning(
        tmp_path, isolated_mlflow):
    from bond_default.report.build import build

    build("bond-default", _grid_store(tmp_path), tmp_path / "rep")
    markdown = (tmp_path / "rep" / "table2.md").read_text()
    lr_gan = next(line for line in markdown.splitlines() if "| LR" in line and "GAN" in line)
    assert "| 3 " in lr_gan and "±" in lr_gan and "< 0.05)" in lr_gan
    page = (tmp_path / "rep" / "index.html").read_text()
    assert "smoke-warning" not in page and "mean ± 95% CI over 3 seeds" in page
    assert "(seed 0 of each cell)" in page  # the overlays say which runs they draw


@pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                    reason="headless Chromium not installed: .ci/run installs Debian's "
                           "chromium and chromium-driver (apt-get install chromium "
                           "chromium-driver)")
def test_the_report_page_renders_in_headless_chromium_with_its_tables_and_figures(
        tmp_path, isolated_mlflow):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    from bond_default.report.build import build

    index = build("bond-default", _grid_store(tmp_path, seeds=(0,), smoke=True),
                  tmp_path / "rep")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        browser.get(index.resolve().as_uri())
        assert browser.find_element(By.ID, "smoke-warning").is_displayed()
        table = browser.find_element(By.ID, "T_table2")
        rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
        assert len(rows) == 4 and "ROC-AUC" in table.find_element(By.TAG_NAME, "thead").text
        value = rows[0].find_elements(By.TAG_NAME, "td")[2]
        assert value.value_of_css_property("text-align") == "right"  # numbers right-aligned
        assert table.find_elements(By.CSS_SELECTOR, "td[style], td.data")  # styled cells
        images = browser.find_elements(By.TAG_NAME, "img")
        assert {Path(i.get_attribute("src")).name for i in images} >= {
            "fig6_roc.png", "fig6b_pr.png", "fig_calibration.png", "fig5_confusion.png"}
        # every figure loaded (a broken link has no natural width) and is captioned
        assert all(browser.execute_script("return arguments[0].naturalWidth", i) > 100
                   for i in images)
        assert all("Run" in c.text for c in browser.find_elements(By.TAG_NAME, "figcaption"))
        screenshot = tmp_path / "page.png"
        browser.save_screenshot(str(screenshot))
        assert screenshot.stat().st_size > 10_000
    finally:
        browser.quit()
