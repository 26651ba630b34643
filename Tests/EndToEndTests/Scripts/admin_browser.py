"""Drives admin-node in headless Chromium (Selenium + chromedriver from Debian's packages).

Usage: admin_browser.py BASE_URL TOKEN OUTPUT_DIR
Signs in with TOKEN, opens every page, screenshots the overview and the dead-letter queue into
OUTPUT_DIR, retries the first dead-lettered job through its confirmation page, and prints what it
read from the pages as one JSON object for the Swift test to assert on.
"""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def click_and_wait(driver, element):
    """Clicks a submit button and waits until the browser shows a new, fully loaded document.

    The old document is marked first. Selenium's `staleness_of` is not used: while Chromium tears
    the old document down, chromedriver can answer a generic error instead of a stale element,
    which that condition does not expect.
    """
    driver.execute_script("window.__leaving = true")
    element.click()

    def arrived(driver):
        try:
            return driver.execute_script("return window.__leaving === undefined && document.readyState === 'complete'")
        except WebDriverException:
            return False  # mid-navigation: neither document answers yet

    WebDriverWait(driver, 15).until(arrived)


def main():
    base, token, output = sys.argv[1], sys.argv[2], sys.argv[3]
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    seen = {}
    try:
        driver.get(base + "/")
        seen["redirectedTo"] = driver.current_url[len(base):]
        seen["loginHeading"] = driver.find_element(By.TAG_NAME, "h1").text
        driver.find_element(By.ID, "token").send_keys(token)
        click_and_wait(driver, driver.find_element(By.ID, "sign-in"))
        seen["afterSignIn"] = driver.current_url[len(base):]
        seen["overviewHeading"] = driver.find_element(By.TAG_NAME, "h1").text
        seen["height"] = driver.find_element(By.ID, "height").text
        seen["nodes"] = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table tr")][1:5]
        driver.save_screenshot(os.path.join(output, "overview.png"))
        headings = {}
        for path in ("/jobs", "/dlq", "/chain", "/validators", "/audit"):
            driver.get(base + path)
            headings[path] = driver.find_element(By.TAG_NAME, "h1").text
        seen["headings"] = headings
        driver.get(base + "/dlq")
        seen["dlqBefore"] = driver.find_element(By.ID, "dlq-count").text
        seen["dlqEntry"] = driver.find_element(By.CSS_SELECTOR, ".dlq-entry").text
        driver.save_screenshot(os.path.join(output, "dlq.png"))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button.retry"))
        seen["confirmHeading"] = driver.find_element(By.TAG_NAME, "h1").text
        click_and_wait(driver, driver.find_element(By.ID, "confirm"))
        seen["afterRetry"] = driver.current_url[len(base):].split("?")[0]
        seen["flash"] = driver.find_element(By.CSS_SELECTOR, "p.flash").text
        driver.get(base + "/audit")
        seen["auditRows"] = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table tr")][1:6]
        seen["chainStatus"] = driver.find_element(By.ID, "chain-status").text
    finally:
        driver.quit()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
