package io.omnii.server.account;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * scripts/hash-password.sh: reads a password (from the terminal without echo, or one line of standard input) and
 * prints its Argon2id PHC string for {@code omnii.accounts.bootstrap.password-hash}, so that the password itself
 * need not be in the server's configuration.
 */
public final class HashPassword {

    private HashPassword() {
    }

    public static void main(String[] args) throws IOException {
        String password = read();
        int length = password == null ? 0 : password.length();
        if (length < AccountPayloads.PASSWORD_MIN || length > AccountPayloads.PASSWORD_MAX) {
            System.err.println("A password " + AccountPayloads.PASSWORD_RULE);
            System.exit(2);
        }
        System.out.println(new PasswordHasher(1, Duration.ofMinutes(1)).hash(password));
    }

    private static String read() throws IOException {
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (typed == null || again == null || !new String(typed).equals(new String(again))) {
                System.err.println("The two do not match");
                System.exit(2);
            }
            return new String(typed);
        }
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
}
