import KringCore

/// Every word the pages show, by key. Each language is one table: an exhaustive `switch`, so a
/// key missing from a language does not build. `{}` marks where a value goes, in order.
enum Word: CaseIterable {
    case siteName, skipToContent, mainNavigation, navHome, navNewExchange, navOffers, navStatistics, navSignIn, navSignOut
    case language, choose, footerAbout
    case publicTitle, publicIntro, publicSignInHint
    case signInTitle, loginName, loginNameHint, password, signInButton, signInFailed, signInWait, signInBusy
    case invitationTitle, invitationIntro, newPassword, repeatPassword, passwordHint, passwordsDiffer, savePassword, invitationProblemTitle
    case homeTitle, balance, balanceInCredit, balanceInDebt, balanceZero, floorIs, ceilingIs, noCeiling, nearFloor, nearCeiling
    case waitingForYou, nothingWaiting, waitingForOthers, recentExchanges, noExchanges, logExchange, expiresOn
    case newExchangeTitle, newExchangeIntro, direction, iHelped, helpedMe, otherMember, otherMemberHint, what, domain, date, hours, hoursHint, propose
    case exchangeTitle, state, providers, receivers, consented, credits, confirm, reject, cancel, proposedBy, youTakePart
    case errorSummary, notFoundTitle, notFoundText, forbiddenTitle, forbiddenText, formExpiredTitle, formExpiredText, backHome
    case stateProposed, stateConfirmed, stateRejected, stateCancelled, stateExpired, stateReversed
    case navStatement, navSettings, statementTitle, opening, closing, colDate, colDescription, colWith, colAmount, colBalance, downloadCSV, madeAtHead, noLines, kindExchange, kindReversal, kindDonation, kindGrant, kindSettlement, periodFrom, periodTo, show, settingsTitle, changePassword, currentPassword, passwordChanged, wrongCurrentPassword, signOutEverywhere, signOutEverywhereHint, myLogins, openSessions

    /// The word in `language`.
    func text(_ language: Language) -> String { language == .nl ? dutch : english }

    /// The word with `values` in place of its `{}`s, in order.
    func text(_ language: Language, _ values: String...) -> String {
        var out = ""
        var rest = values[...]
        for part in text(language).split(separator: "{}", omittingEmptySubsequences: false).enumerated() {
            if part.offset > 0 { out += rest.popFirst() ?? "" }
            out += part.element
        }
        return out
    }

    var dutch: String {
        switch self {
        case .siteName: "Kring"
        case .skipToContent: "Naar de inhoud"
        case .mainNavigation: "Hoofdmenu"
        case .navHome: "Mijn overzicht"
        case .navNewExchange: "Uitwisseling noteren"
        case .navOffers: "Aanbod en vragen"
        case .navStatistics: "Cijfers"
        case .navSignIn: "Aanmelden"
        case .navSignOut: "Afmelden"
        case .language: "Taal"
        case .choose: "Kies"
        case .footerAbout: "Kring is de tijdsbank van de gemeente: één uur van iemands tijd is één tijdskrediet."
        case .publicTitle: "Welkom bij Kring"
        case .publicIntro: "Bewoners, verenigingen, bedrijven en de gemeente helpen elkaar met tijd, ruimte en spullen. Elk uur dat je geeft, kan je later ontvangen."
        case .publicSignInHint: "Ben je lid? Meld je aan met de login en het wachtwoord die je koos bij je uitnodiging."
        case .signInTitle: "Aanmelden"
        case .loginName: "Login"
        case .loginNameHint: "Je id, zoals an-peeters, of voor een tweede login id/label, zoals hotel-aerts/balie."
        case .password: "Wachtwoord"
        case .signInButton: "Aanmelden"
        case .signInFailed: "Die login en dat wachtwoord horen niet bij elkaar."
        case .signInWait: "Te veel mislukte pogingen. Probeer opnieuw over {} seconden."
        case .signInBusy: "Er melden zich nu veel mensen aan. Probeer opnieuw over enkele seconden."
        case .invitationTitle: "Kies je wachtwoord"
        case .invitationIntro: "Je bent uitgenodigd om je aan te melden als {}. Je login is {}."
        case .newPassword: "Nieuw wachtwoord"
        case .repeatPassword: "Herhaal het wachtwoord"
        case .passwordHint: "Minstens 10 tekens. Een zin van enkele woorden is makkelijk te onthouden en moeilijk te raden."
        case .passwordsDiffer: "De twee wachtwoorden zijn niet gelijk."
        case .savePassword: "Bewaar en meld aan"
        case .invitationProblemTitle: "Deze uitnodiging werkt niet"
        case .homeTitle: "Mijn overzicht"
        case .balance: "Saldo"
        case .balanceInCredit: "Je hebt {} tegoed."
        case .balanceInDebt: "Je staat {} in het rood."
        case .balanceZero: "Je saldo staat op nul."
        case .floorIs: "Je kan zakken tot {}; je kan nog {} ontvangen voor je die ondergrens raakt."
        case .ceilingIs: "Je bovengrens is {}; je kan nog {} geven."
        case .noCeiling: "Je hebt geen bovengrens."
        case .nearFloor: "Let op: je nadert je ondergrens."
        case .nearCeiling: "Let op: je nadert je bovengrens."
        case .waitingForYou: "Wacht op jou"
        case .nothingWaiting: "Er wacht niets op jou."
        case .waitingForOthers: "Wacht op de anderen"
        case .recentExchanges: "Recente uitwisselingen"
        case .noExchanges: "Nog geen uitwisselingen."
        case .logExchange: "Een uitwisseling noteren"
        case .expiresOn: "verloopt op {}"
        case .newExchangeTitle: "Een uitwisseling noteren"
        case .newExchangeIntro: "Je stelt de uitwisseling voor; de andere bevestigt ze. Pas dan verschuift het tijdskrediet."
        case .direction: "Wat gebeurde er?"
        case .iHelped: "Ik hielp iemand"
        case .helpedMe: "Iemand hielp mij"
        case .otherMember: "Met wie"
        case .otherMemberHint: "Het id van het andere lid, zoals bo-smet."
        case .what: "Wat"
        case .domain: "Beleidsdomein"
        case .date: "Datum"
        case .hours: "Uren"
        case .hoursHint: "In stappen van een kwartier: 1,5 of 1:30."
        case .propose: "Voorstellen"
        case .exchangeTitle: "Uitwisseling {}"
        case .state: "Stand"
        case .providers: "Gevers"
        case .receivers: "Ontvangers"
        case .consented: "Akkoord gegeven"
        case .credits: "Tijdskrediet per paar"
        case .confirm: "Bevestigen"
        case .reject: "Weigeren"
        case .cancel: "Intrekken"
        case .proposedBy: "Voorgesteld door {}"
        case .youTakePart: "Jij neemt deel."
        case .errorSummary: "Er is een probleem"
        case .notFoundTitle: "Niet gevonden"
        case .notFoundText: "Deze pagina bestaat niet, of ze is niet voor jou."
        case .forbiddenTitle: "Niet toegelaten"
        case .forbiddenText: "Dit formulier kwam niet van deze site, of het is verlopen. Er is niets veranderd."
        case .formExpiredTitle: "Formulier verlopen"
        case .formExpiredText: "Laad de pagina opnieuw en probeer nog eens. Er is niets veranderd."
        case .backHome: "Terug naar mijn overzicht"
        case .stateProposed: "voorgesteld"
        case .stateConfirmed: "bevestigd"
        case .stateRejected: "geweigerd"
        case .stateCancelled: "ingetrokken"
        case .stateExpired: "verlopen"
        case .stateReversed: "teruggedraaid"
        case .navStatement: "Rekeninguittreksel"
        case .navSettings: "Instellingen"
        case .statementTitle: "Rekeninguittreksel"
        case .opening: "Beginsaldo"
        case .closing: "Eindsaldo"
        case .colDate: "Datum"
        case .colDescription: "Omschrijving"
        case .colWith: "Met"
        case .colAmount: "Bedrag"
        case .colBalance: "Saldo"
        case .downloadCSV: "Download als CSV (voor een rekenblad)"
        case .madeAtHead: "Opgemaakt uit het journaal tot positie {} (hash {})."
        case .noLines: "Geen boekingen in deze periode."
        case .kindExchange: "uitwisseling"
        case .kindReversal: "terugdraaiing"
        case .kindDonation: "schenking aan de solidariteitspot"
        case .kindGrant: "toekenning uit de solidariteitspot"
        case .kindSettlement: "verrekening bij vertrek"
        case .periodFrom: "Van"
        case .periodTo: "Tot en met"
        case .show: "Toon"
        case .settingsTitle: "Instellingen"
        case .changePassword: "Wachtwoord wijzigen"
        case .currentPassword: "Huidig wachtwoord"
        case .passwordChanged: "Je wachtwoord is gewijzigd. Je andere sessies zijn afgemeld."
        case .wrongCurrentPassword: "Dat is niet je huidige wachtwoord."
        case .signOutEverywhere: "Overal afmelden"
        case .signOutEverywhereHint: "Meldt deze login af op elk toestel, ook hier."
        case .myLogins: "Logins van {}"
        case .openSessions: "{} open sessie(s) voor deze login."
        }
    }

    var english: String {
        switch self {
        case .siteName: "Kring"
        case .skipToContent: "Skip to content"
        case .mainNavigation: "Main menu"
        case .navHome: "My overview"
        case .navNewExchange: "Log an exchange"
        case .navOffers: "Offers and requests"
        case .navStatistics: "Figures"
        case .navSignIn: "Sign in"
        case .navSignOut: "Sign out"
        case .language: "Language"
        case .choose: "Choose"
        case .footerAbout: "Kring is the municipality's time bank: one hour of anyone's time is one time credit."
        case .publicTitle: "Welcome to Kring"
        case .publicIntro: "Residents, associations, companies and the municipality help each other with time, space and goods. Every hour you give, you can receive later."
        case .publicSignInHint: "Are you a member? Sign in with the login and the password you chose with your invitation."
        case .signInTitle: "Sign in"
        case .loginName: "Login"
        case .loginNameHint: "Your id, such as an-peeters, or for a second login id/label, such as hotel-aerts/front-desk."
        case .password: "Password"
        case .signInButton: "Sign in"
        case .signInFailed: "That login and that password do not belong together."
        case .signInWait: "Too many failed attempts. Try again in {} seconds."
        case .signInBusy: "Many people are signing in right now. Try again in a few seconds."
        case .invitationTitle: "Choose your password"
        case .invitationIntro: "You are invited to sign in as {}. Your login is {}."
        case .newPassword: "New password"
        case .repeatPassword: "Repeat the password"
        case .passwordHint: "At least 10 characters. A sentence of a few words is easy to remember and hard to guess."
        case .passwordsDiffer: "The two passwords are not the same."
        case .savePassword: "Save and sign in"
        case .invitationProblemTitle: "This invitation does not work"
        case .homeTitle: "My overview"
        case .balance: "Balance"
        case .balanceInCredit: "You have {} in credit."
        case .balanceInDebt: "You are {} in the red."
        case .balanceZero: "Your balance is zero."
        case .floorIs: "You can go down to {}; you can still receive {} before you reach that lower limit."
        case .ceilingIs: "Your upper limit is {}; you can still give {}."
        case .noCeiling: "You have no upper limit."
        case .nearFloor: "Note: you are close to your lower limit."
        case .nearCeiling: "Note: you are close to your upper limit."
        case .waitingForYou: "Waiting for you"
        case .nothingWaiting: "Nothing is waiting for you."
        case .waitingForOthers: "Waiting for the others"
        case .recentExchanges: "Recent exchanges"
        case .noExchanges: "No exchanges yet."
        case .logExchange: "Log an exchange"
        case .expiresOn: "expires on {}"
        case .newExchangeTitle: "Log an exchange"
        case .newExchangeIntro: "You propose the exchange; the other member confirms it. Only then do the credits move."
        case .direction: "What happened?"
        case .iHelped: "I helped someone"
        case .helpedMe: "Someone helped me"
        case .otherMember: "With whom"
        case .otherMemberHint: "The other member's id, such as bo-smet."
        case .what: "What"
        case .domain: "Policy domain"
        case .date: "Date"
        case .hours: "Hours"
        case .hoursHint: "In steps of a quarter hour: 1.5 or 1:30."
        case .propose: "Propose"
        case .exchangeTitle: "Exchange {}"
        case .state: "State"
        case .providers: "Providers"
        case .receivers: "Receivers"
        case .consented: "Consented"
        case .credits: "Credits per pair"
        case .confirm: "Confirm"
        case .reject: "Reject"
        case .cancel: "Cancel"
        case .proposedBy: "Proposed by {}"
        case .youTakePart: "You take part."
        case .errorSummary: "There is a problem"
        case .notFoundTitle: "Not found"
        case .notFoundText: "This page does not exist, or it is not yours."
        case .forbiddenTitle: "Not allowed"
        case .forbiddenText: "This form did not come from this site, or it has expired. Nothing changed."
        case .formExpiredTitle: "Form expired"
        case .formExpiredText: "Reload the page and try again. Nothing changed."
        case .backHome: "Back to my overview"
        case .stateProposed: "proposed"
        case .stateConfirmed: "confirmed"
        case .stateRejected: "rejected"
        case .stateCancelled: "cancelled"
        case .stateExpired: "expired"
        case .stateReversed: "reversed"
        case .navStatement: "Statement"
        case .navSettings: "Settings"
        case .statementTitle: "Statement"
        case .opening: "Opening balance"
        case .closing: "Closing balance"
        case .colDate: "Date"
        case .colDescription: "Description"
        case .colWith: "With"
        case .colAmount: "Amount"
        case .colBalance: "Balance"
        case .downloadCSV: "Download as CSV (for a spreadsheet)"
        case .madeAtHead: "Made from the journal up to entry {} (hash {})."
        case .noLines: "No postings in this period."
        case .kindExchange: "exchange"
        case .kindReversal: "reversal"
        case .kindDonation: "donation to the solidarity pool"
        case .kindGrant: "grant from the solidarity pool"
        case .kindSettlement: "settlement on leaving"
        case .periodFrom: "From"
        case .periodTo: "To"
        case .show: "Show"
        case .settingsTitle: "Settings"
        case .changePassword: "Change password"
        case .currentPassword: "Current password"
        case .passwordChanged: "Your password was changed. Your other sessions are signed out."
        case .wrongCurrentPassword: "That is not your current password."
        case .signOutEverywhere: "Sign out everywhere"
        case .signOutEverywhereHint: "Signs this login out on every device, here too."
        case .myLogins: "Logins of {}"
        case .openSessions: "{} open session(s) for this login."
        }
    }
}

extension ExchangeState {
    /// The state's word on the pages.
    var word: Word {
        switch self {
        case .proposed: .stateProposed
        case .confirmed: .stateConfirmed
        case .rejected: .stateRejected
        case .cancelled: .stateCancelled
        case .expired: .stateExpired
        case .reversed: .stateReversed
        }
    }
}

extension Language {
    /// An amount of credits as people in this language write it: `1,5 u` or `1.5 h`.
    func amount(_ m: Minutes) -> String { self == .nl ? m.dutch : m.description }

    /// A day as people in this language write it: `3 december 2026` or `3 December 2026`.
    func day(_ d: Day) -> String {
        let parts = d.description.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return d.description }
        let nl = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]
        let en = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(parts[2]) \((self == .nl ? nl : en)[parts[1] - 1]) \(parts[0])"
    }
}
