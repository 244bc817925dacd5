package io.omnii.server.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real Chromium (Debian's chromium and chromium-driver, which scripts/test.sh installs), headless, driven by
 * Selenium against the test server. Missing binaries fail the test: the console's tests are never skipped.
 */
public final class Browser implements AutoCloseable {

    public static final Dimension DESKTOP = new Dimension(1280, 900);
    public static final Dimension PHONE = new Dimension(360, 780);
    /** Where screenshots go; docs/console.md shows copies of some. */
    public static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private final ChromeDriver driver;
    private final URL base;

    private Browser(ChromeDriver driver, URL base) {
        this.driver = driver;
        this.base = base;
    }

    /** A fresh browser (no cookies) for the server at {@code base} (a test's {@code @TestHTTPResource("/")}). */
    public static Browser open(URL base) {
        assertThat(new File(CHROMIUM).canExecute()).as("Debian's chromium (scripts/test.sh installs it)").isTrue();
        assertThat(new File(CHROMEDRIVER).canExecute()).as("Debian's chromium-driver (scripts/test.sh installs it)").isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + DESKTOP.width + "," + DESKTOP.height, "--lang=en-US", "--no-first-run",
                "--disable-extensions", "--disable-background-networking");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(driver, base);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Navigates to a path on the server. */
    public Browser go(String path) {
        driver.get(base.toString().replaceAll("/$", "") + path);
        return this;
    }

    /**
     * Signs in through the console's sign-in page (the one the browser was sent to, else a fresh one) and waits until
     * the browser has left it, or it says why not.
     */
    public Browser signIn(String username, String password) {
        if (!driver.getCurrentUrl().contains("/console/sign-in")) {
            go("/console/sign-in");
        }
        driver.findElement(By.id("username")).sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        waitUntil(d -> !d.getCurrentUrl().contains("/console/sign-in") || !d.findElements(By.id("sign-in-error")).isEmpty());
        return this;
    }

    public Browser signIn(String username) {
        return signIn(username, People.PASSWORD);
    }

    public WebElement find(By by) {
        return waitUntil(d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    public List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    public <T> T waitUntil(ExpectedCondition<T> condition) {
        return waitUntil(condition, Duration.ofSeconds(15));
    }

    /**
     * Waits for the condition. Live pages swap fragments while a test reads them, so an element gone stale in the
     * meantime means "look again", not a failure.
     */
    public <T> T waitUntil(ExpectedCondition<T> condition, Duration timeout) {
        return new WebDriverWait(driver, timeout).ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** Waits until htmx has no request in flight (the page's last action has been answered and swapped in). */
    public void settle() {
        waitUntil(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                "return document.readyState === 'complete' && document.querySelectorAll('.htmx-request').length === 0")));
    }

    public Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** Whether an alert is open: a script the page did not mean to run would typically open one. */
    public boolean alertOpen() {
        try {
            driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }

    /** The browser's console since the last call: CSP violations and script errors show up here. */
    public List<String> consoleLog() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .collect(Collectors.toList());
    }

    /** Saves the page at desktop and at phone width as target/console-screenshots/{name}-desktop.png / -phone.png. */
    public void screenshots(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            for (var size : List.of(DESKTOP, PHONE)) {
                driver.manage().window().setSize(size);
                settle();
                File shot = driver.getScreenshotAs(OutputType.FILE);
                String suffix = size == DESKTOP ? "desktop" : "phone";
                Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + "-" + suffix + ".png"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
            driver.manage().window().setSize(DESKTOP);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
