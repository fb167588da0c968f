// The most common bounce causes in the words of the big European and Asian
// providers' and MTAs' localized bounces: German, French, Spanish, Italian,
// Dutch, Portuguese, Japanese, Russian and Chinese. Localized bounces rarely
// carry a status code in the readable part, so these wordings stand alone.
// CJK has no word boundaries: those patterns match phrases, not words.
import type { CauseId } from '../causes.js';
import type { Rule } from './patterns.js';

// Within one clause: a noun and its predicate a few words apart ("l'adresse ... est introuvable").
const NEAR = '(?:[^.;。！!?？]|[.](?=\\S)){0,60}?';

// \b is ASCII-only in JavaScript (beside "é" or "А" it never matches) and slow under
// the i and u flags together, so each \b becomes a one-way Unicode edge: the start of
// a word before a letter, its end after one.
const LETTER = '[\\p{L}\\p{N}_]';
const WORD_START = `(?<!${LETTER})`;
const WORD_END = `(?!${LETTER})`;

function unicodeRegExp(source: string): RegExp {
  const edged = source.replace(/\\b/g, (_, at: number) => {
    const next = source.slice(at + 2).replace(/^\(\?:/, '')[0] ?? '';
    return /[\p{L}\p{N}_]/u.test(next) ? WORD_START : WORD_END;
  });
  return new RegExp(edged, 'iu');
}
const phrases = (...alternatives: string[]) => unicodeRegExp(alternatives.join('|'));

const LOCALIZED: [CauseId, RegExp][] = [
  ['recipient.unknown', phrases(
    // de
    `\\bAdresse nicht gefunden\\b`, `\\b(?:E-Mail-)?Adresse${NEAR}(?:wurde )?nicht gefunden\\b`, `\\b(?:Benutzer|Empfänger|Empfaenger)(?:adresse)? (?:ist )?(?:unbekannt|nicht bekannt)\\b`, `\\bunbekannte[rn]? (?:Benutzer|Empfänger|Adresse)\\b`,
    // fr
    `\\bAdresse introuvable\\b`, `\\badresse${NEAR}(?:est )?introuvable\\b`, `\\b(?:utilisateur|destinataire) (?:est )?inconnu`, `\\bdestinataire invalide\\b`, `\\badresse${NEAR}n'existe pas\\b`,
    // es
    `\\bNo se ha encontrado la dirección\\b`, `\\bdirección${NEAR}no (?:existe|se ha encontrado)\\b`, `\\bno se (?:ha )?encontr(?:ó|ado) la dirección\\b`, `\\b(?:usuario|destinatario) desconocido\\b`,
    // it
    `\\bIndirizzo non trovato\\b`, `\\bindirizzo${NEAR}non (?:esiste|è stato trovato)\\b`, `\\b(?:utente|destinatario) sconosciuto\\b`,
    // nl
    `\\bAdres niet gevonden\\b`, `\\be-?mailadres${NEAR}(?:bestaat niet|niet bestaat|(?:is )?niet (?:is )?gevonden)\\b`, `\\b(?:onbekende (?:gebruiker|ontvanger)|(?:gebruiker|ontvanger) (?:is )?onbekend)\\b`,
    // pt
    `\\bEndereço não encontrado\\b`, `\\bendereço${NEAR}(?:não existe|não foi encontrado)\\b`, `\\b(?:usu[aá]rio|destinat[aá]rio) desconhecido\\b`,
    // ja, ru, zh
    'アドレスが見つかりません', `アドレス${NEAR}見つから`, '宛先不明', '存在しない(?:ユーザ|アドレス|宛先)',
    `\\bАдрес не найден`, `\\bадрес${NEAR}не (?:существует|найден)`, `(?:пользователь|получатель)${NEAR}не (?:существует|найден)`,
    '找不到地址', `地址${NEAR}不存在`, `收件人${NEAR}不存在`, '用户不存在', '查无此人',
  )],
  ['mailbox.full', phrases(
    `\\b(?:Postfach|Mailbox)${NEAR}(?:ist )?(?:voll|überfüllt)\\b`, `\\bSpeicher(?:volumen|platz)${NEAR}(?:ü|ue)berschritten\\b`,
    `\\bbo[iî]te${NEAR}pleine\\b`, `\\bbuzón${NEAR}lleno\\b`, `\\b(?:cassetta postale|casella)${NEAR}piena\\b`, `\\b(?:postvak|brievenbus)${NEAR}vol\\b`, `\\bcaixa (?:postal|de correio)${NEAR}cheia\\b`,
    'メールボックス.{0,12}(?:いっぱい|満杯|容量.{0,6}(?:超|オーバー))', `ящик${NEAR}переполнен`, '邮箱.{0,8}(?:已满|满了|容量不足|空间不足)',
  )],
  ['message.too-large', phrases(
    `\\bzu gro(?:ß|ss)\\b`, `\\bGröße${NEAR}überschreitet\\b`, `\\btrop volumineux\\b`, `\\btaille${NEAR}(?:dépasse|limite)`, `\\bdemasiado grande\\b`, `\\btamaño${NEAR}supera\\b`,
    `\\btroppo grande\\b`, `\\bdimensioni${NEAR}superano\\b`, `\\bte groot\\b`, `\\b(?:muito|demasiado) grande\\b|\\bgrande demais\\b`,
    'サイズが大きすぎる', 'サイズ.{0,10}(?:超え|制限)', `слишком (?:большое|большой|велико)`, `размер${NEAR}превыша`, '邮件(?:过大|太大)', '超过.{0,10}大小限制',
  )],
  ['domain.nxdomain', phrases(
    `\\b(?:Domäne|Domain)${NEAR}existiert nicht\\b`, `\\bdomaine${NEAR}n'existe pas\\b`, `\\bdominio${NEAR}no existe\\b`, `\\bdominio${NEAR}non esiste\\b`, `\\bdomein${NEAR}bestaat niet\\b`, `\\bdomínio${NEAR}não existe\\b`,
    'ドメイン.{0,30}(?:存在しません|見つかりません)', `домен${NEAR}не существует`, '域名.{0,20}不存在',
  )],
  ['delivery.delayed', phrases(
    `\\b(?:Zustellung|Übermittlung)${NEAR}verzögert\\b`, `\\bnoch nicht zugestellt\\b`, `\\bremise${NEAR}retardée\\b`, `\\bpas encore été remis\\b`, `\\bentrega${NEAR}retrasad[oa]\\b|\\bSe ha retrasado la entrega\\b`, `\\baún no se ha entregado\\b`,
    `\\brecapito${NEAR}in ritardo\\b`, `\\bnon è stato ancora recapitato\\b`, `\\bbezorging${NEAR}vertraagd\\b`, `\\bnog niet bezorgd\\b`, `\\bentrega${NEAR}atrasada\\b`, `\\bainda não foi entregue\\b`,
    '配信が遅延', 'まだ配信されていません', `доставка${NEAR}задерживается`, `(?:ещё|еще) не доставлено`, '(?:传递|投递|送达).{0,10}延迟', '尚未(?:传递|送达|投递)',
  )],
  ['content.rejected', phrases(
    `\\bals Spam (?:eingestuft|erkannt|markiert)\\b`, `\\bSpamverdacht\\b`, `\\b(?:identifié|considéré|détecté)e? comme (?:du )?spam\\b`, `\\b(?:identific(?:ó|ado)|detectado|considerado) como (?:correo no deseado|spam)\\b`,
    `\\b(?:identificato|considerato|rilevato) come spam\\b`, `\\bals spam (?:aangemerkt|herkend|gemarkeerd)\\b`, `\\b(?:identificada|considerada|detectada) como spam\\b`,
    '迷惑メール', `распознано как спам`, '垃圾邮件',
  )],
  ['recipient.disabled', phrases(
    `\\b(?:Postfach|Konto)${NEAR}(?:deaktiviert|gesperrt)\\b`, `\\bcompte${NEAR}(?:désactivé|bloqu[ée]|suspendu)\\b`, `\\bcuenta${NEAR}(?:desactivada|bloqueada|suspendida)\\b`,
    `\\b(?:account|casella)${NEAR}(?:disattivat[oa]|bloccat[oa]|sospes[oa])\\b`, `\\b(?:account|postvak)${NEAR}(?:gedeactiveerd|geblokkeerd)\\b`, `\\bconta${NEAR}(?:desativada|bloqueada|suspensa)\\b`,
    '(?:アカウント|メールボックス).{0,20}(?:無効|停止|凍結)', `(?:учетная запись|учётная запись|ящик|аккаунт)${NEAR}(?:заблокирован|отключ[её]н)`, '(?:账户|帐户|邮箱|帐号|账号).{0,10}(?:冻结|停用|禁用|已注销)',
  )],
  ['rate.limited', phrases(
    `\\bzu viele (?:Nachrichten|Verbindungen|Empfänger)\\b`, `\\btrop de (?:messages|connexions|destinataires)\\b`, `\\bdemasiad(?:os (?:mensajes|destinatarios)|as conexiones)\\b`,
    `\\btropp(?:i (?:messaggi|destinatari)|e connessioni)\\b`, `\\bte veel (?:berichten|verbindingen|ontvangers)\\b`, `\\bmuit(?:as mensagens|os destinatários|as conexões)\\b`,
    '送信(?:数|量).{0,10}(?:制限|上限)', `слишком много (?:сообщений|писем|соединений|получателей)`, '频率(?:过高|过快|受限)', '发送(?:过多|过于频繁)', '并发连接数过大', '数量超出限制',
  )],
  ['rbl.listed', phrases(`\\bschwarze[nr]? Liste\\b`, `\\bliste noire\\b`, `\\blista negra\\b`, `\\blista nera\\b`, `\\bzwarte lijst\\b`, 'ブラックリスト', `черн(?:ом|ый|ого) списк`, '黑名单')],
  ['reputation.poor', phrases(`\\bIP${NEAR}(?:gesperrt|blockiert)\\b`, `\\bbloqu[ée]e? pour incident de spam\\b`, '发送行为异常', '被临时禁止连接')],
  ['sender.domain-invalid', phrases(`\\bAbsender(?:adresse|domain)${NEAR}(?:ungültig|existiert nicht|unbekannt)\\b`, `\\b[EÉ]metteur invalide\\b`, `\\bremitente${NEAR}(?:no válido|desconocido)\\b`, `发件人${NEAR}(?:不存在|无效)`)],
  ['relay.denied', phrases(`\\bRelaying${NEAR}(?:nicht erlaubt|verweigert)\\b`, `\\brelais${NEAR}(?:refusé|interdit)\\b`, `\\bretransmisión denegada\\b`, '不允许转发', '拒绝中继')],
];

/** Each localized wording as a strong rule: these phrases name their cause outright. */
export const LOCALIZED_RULES: readonly Rule[] = LOCALIZED.map(([cause, re]) => ({ cause, weight: 5, re }));

// A retry announced in these languages: the message is not lost yet.
export const LOCALIZED_TEMPORARY = unicodeRegExp('\\b(?:später erneut|plus tard|más tarde|più tardi|later opnieuw|mais tarde|позже)\\b|稍后(?:再试|重试)|しばらくしてから');
