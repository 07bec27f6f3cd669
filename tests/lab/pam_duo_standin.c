/*
 * A PAM module that behaves like Duo's pam_duo at the keyboard: it shows Duo's menu, asks
 * "Passcode or option (1-3): ", approves option 1 (a push) after a delay, and accepts one passcode.
 * The lab uses it because the real pam_duo needs Duo's cloud service.
 *
 * Arguments: delay=SECONDS (push approval time, default 3), passcode=DIGITS (the accepted passcode).
 */
#define PAM_SM_AUTH
#include <security/pam_modules.h>
#include <security/pam_ext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *argument(int argc, const char **argv, const char *name)
{
    size_t length = strlen(name);
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], name, length) == 0 && argv[i][length] == '=') {
            return argv[i] + length + 1;
        }
    }
    return NULL;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)flags;
    const char *user = NULL;
    if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL) {
        return PAM_USER_UNKNOWN;
    }

    const char *delay_text = argument(argc, argv, "delay");
    const char *passcode = argument(argc, argv, "passcode");
    int delay = delay_text ? atoi(delay_text) : 3;

    pam_info(pamh,
             "Duo two-factor login for %s\n\n"
             "Enter a passcode or select one of the following options:\n\n"
             " 1. Duo Push to XXX-XXX-0001\n"
             " 2. Phone call to XXX-XXX-0001\n"
             " 3. SMS passcodes to XXX-XXX-0001\n",
             user);

    char *answer = NULL;
    if (pam_prompt(pamh, PAM_PROMPT_ECHO_ON, &answer, "Passcode or option (1-3): ") != PAM_SUCCESS || answer == NULL) {
        return PAM_CONV_ERR;
    }

    int result = PAM_AUTH_ERR;
    if (strcmp(answer, "1") == 0) {
        sleep((unsigned int)delay);
        result = PAM_SUCCESS;
    } else if (passcode != NULL && strlen(answer) == strlen(passcode) && strcmp(answer, passcode) == 0) {
        result = PAM_SUCCESS;
    }

    free(answer);
    return result;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)pamh;
    (void)flags;
    (void)argc;
    (void)argv;
    return PAM_SUCCESS;
}
